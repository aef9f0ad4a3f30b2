-- The ad table noa reads: one row per day and campaign with Fivetran's column
-- names plus campaign_role, geo and currency.  On your own data, this is where
-- a campaign mapping is joined in (see "Bring your own tables" in README.md).
select date_day, platform, account_id, campaign_id, campaign_name, campaign_role, geo, currency,
       spend, impressions, clicks, conversions, conversions_value
from {{ source('noa_demo', 'ad_spend') }}
