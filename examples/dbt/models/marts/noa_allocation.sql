-- The split of the daily budget over the campaigns (awareness campaigns keep
-- their spend), one row per campaign and a total row.  One budget is split in
-- one currency: with campaigns in several, currency is NULL and the not_null
-- test on it fails (convert the money first).
with p as (
    select noa.portfolio(campaign_id, curve, current_spend, null, max_spend,
                         campaign_role, value_per_unit, campaign_role = 'awareness') as pf,
           case when count(distinct currency) = 1 then min(currency) end as currency
    from {{ ref('noa_curves') }}
)
select a.*
from p, noa.allocate(p.pf, budget => {{ var("daily_budget") }},
                     currency => p.currency, response_unit => 'conversions') as a
