// The part of jstat (https://github.com/jstat/jstat, MIT) the canary verdict uses. jstat ships
// no type declarations; this declares only the distribution functions called here.
declare module "jstat" {
  interface JStat {
    normal: { cdf(x: number, mean: number, sd: number): number };
    chisquare: { cdf(x: number, dof: number): number };
    /** Regularized incomplete beta function I_x(a, b). */
    ibeta(x: number, a: number, b: number): number;
  }
  const jStat: JStat;
  export default jStat;
}
