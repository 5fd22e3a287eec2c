# Peer check of the EVPPI regression (src/analysis/evppi.c) with mgcv, run
# by tests/unit/test_evppi.c on a sample it writes.
#
# Usage: Rscript tests/peer/mgcv_evppi.R SAMPLE.csv [B]
# SAMPLE.csv has columns inb, x1, x2: one option's incremental net benefit
# over the other and two parameters, one draw a row. Prints one line:
#   EVPPI(x1) EVPPI(x1, x2) SE(x1) SE(x1, x2)
# from gam(inb ~ s(x1, bs = "cr", k = 18)) and gam(inb ~ te(x1, x2,
# bs = "cr", k = 6)), the basis sizes of ours, smoothing parameters by GCV
# (Strong, Oakley and Brennan 2014; as voi's default te(..., bs = "cr")).
# The SE is the sd of the EVPPI over B draws (default 1000) of the
# coefficients from N(coef, Vp), as voi's evppi(..., se = TRUE).
# Exit status 3 when mgcv or MASS is missing, so the test can skip.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript mgcv_evppi.R SAMPLE.csv [B]")
if (!requireNamespace("mgcv", quietly = TRUE) || !requireNamespace("MASS", quietly = TRUE))
    quit(status = 3)
B <- if (length(args) > 1) as.integer(args[2]) else 1000L
d <- read.csv(args[1])

evppi <- function(g) mean(pmax(0, g)) - max(0, mean(g))
se_of <- function(m) {
    set.seed(20240611)
    X <- mgcv::predict.gam(m, type = "lpmatrix")
    b <- MASS::mvrnorm(B, coef(m), vcov(m))
    sd(apply(X %*% t(b), 2, evppi))
}
m1 <- mgcv::gam(inb ~ s(x1, bs = "cr", k = 18), data = d, method = "GCV.Cp")
m2 <- mgcv::gam(inb ~ te(x1, x2, bs = "cr", k = 6), data = d, method = "GCV.Cp")
cat(sprintf("%.10g %.10g %.10g %.10g\n", evppi(fitted(m1)), evppi(fitted(m2)),
            se_of(m1), se_of(m2)))
