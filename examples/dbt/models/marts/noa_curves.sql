-- One response curve per campaign (conversions on daily spend) with its
-- current spend, value per conversion and role: the inputs of noa_allocation.
-- The curve column is noa's own type; BI tools read the flat columns.
with per_campaign as (
    select campaign_id,
           min(platform)                                                     as platform,
           min(campaign_role)                                                as campaign_role,
           min(currency)                                                     as currency,
           noa.fit_curve(spend::float8, conversions::float8)                 as curve,
           (avg(spend) filter (
               where date_day > date '{{ var("as_of") }}' - {{ var("window_days") }}))::float8 as current_spend,
           max(spend)::float8                                                as max_spend,
           (sum(conversions_value) / nullif(sum(conversions), 0))::float8    as value_per_unit
    from {{ ref('stg_ad_spend') }}
    where date_day <= date '{{ var("as_of") }}'
    group by campaign_id
)
select c.*, s.response_unit, s.status, s.n, s.r2,
       noa.marginal_roas(c.curve, c.current_spend, c.value_per_unit) as marginal_roas,
       s.breakeven_spend, s.breakeven_note
from per_campaign as c,
     noa.curve_summary(c.curve, 1, coalesce(c.value_per_unit, 1),
                       currency => c.currency, response_unit => 'conversions') as s
