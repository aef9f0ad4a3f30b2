/*
 * test_rank_corr.c — unit tests of the spend-response statistics
 * (src/quality/core/rank_corr.c): Spearman correlation with tied ranks and
 * the p90 / p10 spread, independent of the order of the days.
 */
#include <math.h>
#include <stdbool.h>

#include "rank_corr.h"
#include "unit.h"

int
main(void)
{
	double		x[6] = {10, 20, 30, 40, 50, 60};
	double		y[6] = {1, 2, 3, 4, 5, 6};
	double		yr[6] = {6, 5, 4, 3, 2, 1};
	double		xt[4] = {1, 2, 2, 3};	/* ranks 1, 2.5, 2.5, 4 */
	double		yt[4] = {1, 3, 2, 4};
	double		xs[4] = {2, 3, 1, 2};	/* the same pairs, shuffled */
	double		ys[4] = {2, 4, 1, 3};
	double		flat[3] = {5, 5, 5};
	double		rho, rho2, spread;
	bool		has;

	CHECK(noa_spend_response(x, y, 6, &rho, &spread, &has) == NOA_RC_OK && rho == 1.0,
		  "monotone pairs: rho = 1 (%g)", rho);
	/* p10 = 10 + (20 - 10) * 0.5 = 15, p90 = 50 + (60 - 50) * 0.5 = 55 */
	CHECK(has && unit_close(spread, 55.0 / 15.0, 1e-15), "spread = p90 / p10 with interpolation (%g)", spread);
	CHECK(noa_spend_response(x, yr, 6, &rho, &spread, &has) == NOA_RC_OK && rho == -1.0,
		  "reversed pairs: rho = -1 (%g)", rho);
	/* ties: x ranks 1, 2.5, 2.5, 4 against y ranks 1, 3, 2, 4 -> rho = 4.5 / sqrt(4.5 * 5) */
	CHECK(noa_spend_response(xt, yt, 4, &rho, &spread, &has) == NOA_RC_OK
		  && unit_close(rho, 4.5 / sqrt(4.5 * 5.0), 1e-15), "average ranks for ties (%.17g)", rho);
	CHECK(noa_spend_response(xs, ys, 4, &rho2, &spread, &has) == NOA_RC_OK && rho2 == rho,
		  "the same pairs in another order give the same bits");
	CHECK(noa_spend_response(flat, y, 3, &rho, &spread, &has) == NOA_RC_OK && rho == 0.0 && has && spread == 1.0,
		  "no spread in spend: rho 0, spread 1");
	CHECK(noa_spend_response(x, y, 0, &rho, &spread, &has) == NOA_RC_OK && rho == 0.0 && !has,
		  "no pairs: rho 0 and no spread");
	return unit_done();
}
