-- The split of the daily budget over the campaigns (awareness campaigns keep
-- their spend), one row per campaign and a total row.
with p as (
    select noa.portfolio(campaign_id, curve, current_spend, null, max_spend,
                         campaign_role, value_per_unit, campaign_role = 'awareness') as pf
    from {{ ref('noa_curves') }}
)
select a.*
from p, noa.allocate(p.pf, budget => {{ var("daily_budget") }}) as a
