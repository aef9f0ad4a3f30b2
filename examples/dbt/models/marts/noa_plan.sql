-- The ranked action plan: fix the data first, then cut, cap, shift and scale.
select *
from noa.recommendations('{{ ref("stg_ad_spend") }}', business => '{{ source("noa_demo", "shop_orders") }}',
                         window_days => {{ var("window_days") }}, as_of => '{{ var("as_of") }}')
