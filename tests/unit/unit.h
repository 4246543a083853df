/* \summary: the smallest test harness: CHECK counts failures, main returns them */
#ifndef SOCKX_UNIT_H
#define SOCKX_UNIT_H

#include <stdio.h>

static int unit_failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			unit_failures++;                                     \
		}                                                            \
	} while (0)

#define UNIT_DONE(name)                                                      \
	do {                                                                 \
		printf("%s: %s\n", name, unit_failures ? "FAILED" : "ok");   \
		return unit_failures ? 1 : 0;                                \
	} while (0)

#endif
