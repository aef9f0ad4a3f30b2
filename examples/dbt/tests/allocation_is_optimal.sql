-- The allocation's total row carries the optimality certificate.
select * from {{ ref('noa_allocation') }} where row_type = 'total' and status <> 'optimal'
