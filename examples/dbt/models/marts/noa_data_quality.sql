-- Data alarms before any advice: one row per problem (errors first).
select *
from noa.data_quality('{{ ref("stg_ad_spend") }}', '{{ source("noa_demo", "shop_orders") }}',
                      as_of => '{{ var("as_of") }}')
