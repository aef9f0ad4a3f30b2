-- What the stored values read as, through functions that exist since 0.1.0:
-- text and binary forms, jsonb, accessors and plans.  Run before and after
-- ALTER EXTENSION noa UPDATE, the output must not change.
\pset format unaligned
\pset footer off
SELECT id, c::text AS text_form, encode(noa.curve_send(c), 'hex') AS binary_form, c::jsonb AS jsonb_form,
       noa.curve_status(c) AS status, noa.curve_model(c) AS model,
       noa.response(c, 300) AS r300, noa.response_lo(c, 300) AS r300_lo, noa.response_hi(c, 1500) AS r1500_hi,
       noa.marginal_roas(c, 800, 45) AS mroas800, noa.saturation_spend(c) AS sat,
       noa.breakeven_spend(c, 1, 45) AS breakeven, noa.breakeven_note(c, 1, 45) AS breakeven_note
FROM upg_curve ORDER BY id;
SELECT id, p::text AS text_form, encode(noa.portfolio_send(p), 'hex') AS binary_form, p::jsonb AS jsonb_form
FROM upg_portfolio ORDER BY id;
SELECT u.id, a.row_type, a.key, a.status, a.recommended_spend, a.response_after, a.binding_constraint
FROM upg_portfolio u, noa.allocate(u.p, 4000) a ORDER BY u.id, a.row_type, a.key;
SELECT u.id, s.key, s.proposed_spend, s.response_after
FROM upg_portfolio u, noa.simulate(u.p, 'raise hill by 20%; cut tanh by 100') s ORDER BY u.id, s.key;
-- Every 0.1.0 column of the row functions (before the update these run the
-- 0.1.0 declarations, without the currency and response_unit columns, on the
-- current library).
SELECT u.id, s.model, s.status, s.b, s.k, s.s, s.spend_max, s.breakeven_spend, s.breakeven_note, s.saturation_spend,
       s.converged_starts, s.note
FROM upg_curve u, noa.curve_summary(u.c, 1, 45) s ORDER BY u.id;
SELECT u.id, p.point_no, p.spend, p.response, p.marginal_roas, p.in_observed_range
FROM upg_curve u, noa.curve_points(u.c, 2000, 5, 0.9, 45) p ORDER BY u.id, p.point_no;
SELECT u.id, a.key, a.extrapolated, a.explanation FROM upg_portfolio u, noa.allocate(u.p, 4000) a ORDER BY u.id, a.row_type, a.key;
SELECT u.id, s.objective_name, s.status, s.recommended_spend, s.solver_passes, s.explanation
FROM upg_portfolio u, noa.allocation_summary(u.p, 4000) s ORDER BY u.id;
SELECT u.id, s.key, s.extrapolated, s.explanation
FROM upg_portfolio u, noa.simulate(u.p, 'raise hill by 20%; cut tanh by 100') s ORDER BY u.id, s.key;
