/*
 * sort_cancellable.c — a sort of millions of elements that reacts to a
 * cancel within milliseconds (sort_cancellable.h).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "sort_cancellable.h"

/* Elements sorted in one uninterrupted run of the caller's sort; longer arrays are merged. */
#define SORT_RUN 65536

void
noa_sort_cancellable(void *base, int64 n, size_t size, noa_sort_run_fn sort_run, noa_compare_fn compare)
{
	char	   *src = base,
			   *dst,
			   *tmp;

	for (int64 lo = 0; lo < n; lo += SORT_RUN)
	{
		CHECK_FOR_INTERRUPTS();
		sort_run(src + lo * size, Min(SORT_RUN, n - lo));
	}
	if (n <= SORT_RUN)
		return;
	dst = tmp = palloc_extended(size * n, MCXT_ALLOC_HUGE);
	for (int64 width = SORT_RUN; width < n; width *= 2)
	{
		char	   *swap;

		for (int64 lo = 0; lo < n; lo += 2 * width)
		{
			int64		mid = Min(lo + width, n),
						hi = Min(lo + 2 * width, n),
						i = lo,
						j = mid,
						k = lo;

			CHECK_FOR_INTERRUPTS();
			/* on ties the left run's element first */
			while (i < mid && j < hi)
			{
				if (compare(src + j * size, src + i * size) < 0)
					memcpy(dst + k++ * size, src + j++ * size, size);
				else
					memcpy(dst + k++ * size, src + i++ * size, size);
			}
			memcpy(dst + k * size, src + i * size, (mid - i) * size);
			k += mid - i;
			memcpy(dst + k * size, src + j * size, (hi - j) * size);
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != (char *) base)
		memcpy(base, src, size * n);
	pfree(tmp);
}
