-- Spend that does not pay over the period, with the money at stake.
select *
from noa.waste('{{ ref("stg_ad_spend") }}', window_days => {{ var("window_days") }},
               as_of => '{{ var("as_of") }}')
