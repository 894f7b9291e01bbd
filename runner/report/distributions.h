// The distributions the comparison statistics need, as plain functions: Student's t (CDF and
// quantile, through the regularized incomplete beta function) and the exact two-sided binomial
// test at p = 1/2 (McNemar's exact test on discordant pairs). No dependency: the continued
// fraction is Lentz's method as Numerical Recipes gives it; tests check them against published
// table values and against a second implementation.
#pragma once

namespace evalrun {

/// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and x in [0, 1].
double RegularizedIncompleteBeta(double a, double b, double x);

/// P(T <= t) for Student's t with `df` > 0 degrees of freedom.
double StudentTCdf(double t, double df);

/// The t with P(T <= t) = p, for p in (0, 1) and df > 0.
double StudentTQuantile(double p, double df);

/// Two-sided exact binomial test of `a` successes against `b` failures at p = 1/2: McNemar's
/// exact test when a and b count the discordant pairs. 1 when there are none.
double ExactBinomialTwoSidedP(long long a, long long b);

}  // namespace evalrun
