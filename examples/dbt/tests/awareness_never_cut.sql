-- Awareness campaigns are judged on reach: the plan never cuts or caps them on conversions.
select p.*
from {{ ref('noa_plan') }} as p
join {{ ref('stg_ad_spend') }} as s using (campaign_id)
where p.action in ('cut', 'cap_spend') and s.campaign_role = 'awareness'
