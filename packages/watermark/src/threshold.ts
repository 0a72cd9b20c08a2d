/** log of P(X >= k) for X ~ Binomial(n, 1/2). */
export function logBinomialTail(n: number, k: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  // log C(n, j) for j = k..n, summed with log-sum-exp.
  let logC = 0;
  for (let j = 1; j <= k; j += 1) logC += Math.log((n - j + 1) / j);
  let max = logC;
  const terms: number[] = [logC];
  for (let j = k + 1; j <= n; j += 1) {
    logC += Math.log((n - j + 1) / j);
    terms.push(logC);
    if (logC > max) max = logC;
  }
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum) - n * Math.LN2;
}

/**
 * The smallest agreement count k such that `hypotheses` * P(Binomial(n, 1/2) >= k) <= `falsePositiveRate` (the
 * union bound over every synchronisation hypothesis tried).
 */
export function agreementThreshold(n: number, hypotheses: number, falsePositiveRate: number): number {
  const target = Math.log(falsePositiveRate / hypotheses);
  let k = Math.ceil(n / 2);
  while (k <= n && logBinomialTail(n, k) > target) k += 1;
  return k;
}
