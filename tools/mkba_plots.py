#!/usr/bin/python3
"""The charts of `mkba report`, drawn with matplotlib from a result file.

    mkba_plots.py RESULT.h5 OUTDIR [--lang en|nl] [--budget-arm A]
                  [--municipality K]

Reads the HDF5 file with h5py and writes every chart the report shows as an
SVG file into OUTDIR (which must exist), plus OUTDIR/manifest.json: a list of
{id, file, section, heading, title, alt, axes}, in the order the report shows
them. `axes` lists every labelled axis as {label, unit}; unit is null for an
axis of categories (payers, factors, arms) and never empty otherwise, so a
reader can check that each value axis says what it measures.

`mkba report` runs this script (src/report/plots.c) and embeds the files;
--budget-arm (the arm the answer recommends, or the best alternative) and
--municipality (the index of the municipality perspective when it has a
municipal payer) come from the answer in C, so the charts and the text
agree. docs/report.md describes each chart; docs/architecture.md says where
to add one.

Needs Debian's python3-matplotlib, python3-h5py and python3-numpy; exits 3
with a message naming them when one is missing, 1 when the file cannot be
read or a chart fails."""
import argparse
import json
import math
import os
import sys

try:
    import numpy as np
    import h5py
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.ticker import Formatter, MaxNLocator
except ImportError as exc:
    sys.stderr.write("mkba_plots: python3 cannot import %s: install the Debian packages "
                     "python3-matplotlib python3-h5py python3-numpy "
                     "(scripts/install-deps.sh does)\n" % exc.name)
    sys.exit(3)

# Okabe & Ito (2008), "Color Universal Design": told apart with the common
# colour-vision deficiencies; the yellow last (light on white).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#999999", "#F0E442"]
BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, BLACK, GREY = PALETTE[:8]
# Below 0 orange, above 0 blue: a diverging map of the same palette.
DIVERGING = LinearSegmentedColormap.from_list("mkba", [VERMILLION, "#FFFFFF", BLUE])

# A4 portrait with 2 cm margins is 17 cm wide: every chart is drawn at that
# width and shown at it, so 9-point text stays 9 points on paper.
WIDTH = 6.7
HALF = 3.25

# The words on the charts in English and Dutch (MKBA terms), listed once.
STRINGS = {
    "plane": ("Cost-effectiveness plane", "Kosteneffectiviteitsvlak"),
    "plane_alt": ("Each point one draw of an arm minus %s; the large points are the means.",
                  "Elk punt een trekking van een alternatief min %s; de grote punten zijn de "
                  "gemiddelden."),
    "improvement": ("improvement in %s", "verbetering in %s"),
    "extra_cost": ("extra net cost for society", "extra nettokosten samenleving"),
    "mean": ("mean", "gemiddelde"),
    "ceac": ("Acceptability curve", "Aanvaardbaarheidscurve"),
    "ceac_alt": ("Probability that each arm is best at each willingness to pay; marked: the "
                 "arm with the highest mean.", "Kans dat elk alternatief het beste is bij elke "
                 "betalingsbereidheid; gemarkeerd: het alternatief met het hoogste gemiddelde."),
    "wtp": ("willingness to pay per %s", "betalingsbereidheid per %s"),
    "p_best": ("probability best", "kans beste"),
    "frontier": ("Efficiency frontier", "Efficiëntiegrens"),
    "frontier_alt": ("Mean net cost for society (its cost less the monetary effects) against "
                     "the mean %s per arm, with 95%% intervals of the draws; the line joins "
                     "the arms not dominated.",
                     "Gemiddelde nettokosten samenleving (kosten min de monetaire effecten) "
                     "tegen het gemiddelde %s per alternatief, "
                     "met 95%%-intervallen van de trekkingen; de lijn verbindt de "
                     "niet-gedomineerde alternatieven."),
    "mean_cost": ("mean net cost for society", "gemiddelde nettokosten samenleving"),
    "mean_effect": ("mean %s", "gemiddeld %s"),
    "frontier_line": ("frontier", "grens"),
    "perspective": ("perspective %s", "perspectief %s"),
    "cumulative": ("cumulative discounted net benefit", "cumulatief contant saldo"),
    "cash_alt": ("Perspective %s: cumulative discounted net benefit against %s per year, mean "
                 "and 90%% band, and the share of draws broken even by each year.",
                 "Perspectief %s: cumulatief contant saldo ten opzichte van %s per jaar, "
                 "gemiddelde en 90%%-band, en het aandeel trekkingen dat elk jaar is "
                 "terugverdiend."),
    "band90": ("90% band", "90%-band"),
    "broken_even": ("share broken even", "aandeel terugverdiend"),
    "time": ("time", "tijd"),
    "year": ("year", "jaar"),
    "years": ("years", "jaar"),
    "payers_alt": ("%s against %s per payer: what it pays, what it gains and the net position "
                   "with its 95%% interval.", "%s ten opzichte van %s per betaler: wat hij "
                   "betaalt, wat hij wint en het saldo met zijn 95%%-interval."),
    "payer": ("payer", "betaler"),
    "pays": ("pays", "betaalt"),
    "gains": ("gains", "wint"),
    "net95": ("net, mean and 95% interval", "saldo, gemiddelde en 95%-interval"),
    "present_value": ("present value", "contante waarde"),
    "society": ("society", "samenleving"),
    "municipality": ("municipality", "gemeente"),
    "budget": ("Municipal budget per year", "Gemeentebegroting per jaar"),
    "budget_alt": ("%s against %s: the yearly net effect on each municipal budget, "
                   "undiscounted; the line the municipality as a whole with its 90%% band.",
                   "%s ten opzichte van %s: het jaarlijkse netto effect op elke gemeentelijke "
                   "begroting, niet verdisconteerd; de lijn de gemeente als geheel met de "
                   "90%%-band."),
    "net_year": ("net per year, undiscounted", "netto per jaar, niet verdisconteerd"),
    "ranking": ("Ranking of the arms", "Rangorde van de alternatieven"),
    "ranking_alt": ("Share of draws in which each arm has each rank by the net present value "
                    "for society.", "Aandeel trekkingen waarin elk alternatief elke rang heeft "
                    "op het maatschappelijk saldo."),
    "arm": ("arm", "alternatief"),
    "rank": ("rank %d", "rang %d"),
    "share_draws": ("share of draws", "aandeel trekkingen"),
    "services": ("Services over time", "Dienstverlening in de tijd"),
    "services_alt": ("Households reached, waiting, mean wait, FTE used and escalations per "
                     "arm over time, mean and 90% band of the draws.",
                     "Bereikte en wachtende huishoudens, gemiddelde wachttijd, ingezette fte "
                     "en escalaties per alternatief in de tijd, gemiddelde en 90%-band."),
    "svc_reached": ("reached (admitted)", "bereikt (toegelaten)"),
    "svc_queue": ("waiting", "wachtend"),
    "svc_wait": ("mean wait", "gemiddelde wachttijd"),
    "svc_fte": ("FTE used", "fte ingezet"),
    "svc_escalations": ("escalations to second-line care", "escalaties naar tweedelijnszorg"),
    "per_household": ("per starting household", "per starthuishouden"),
    "fte": ("FTE", "fte"),
    "tornado": ("Tornado: %s", "Tornado: %s"),
    "tornado_alt": ("%s of %s with each factor at its low and high value, the others at "
                    "base (the line); whiskers: plus or minus 2 MCSE of the swing.",
                    "%s van %s met elke factor op zijn lage en hoge waarde, de andere op de "
                    "basiswaarde (de lijn); snorharen: plus of min 2 MCSE van de uitslag."),
    "at_low": ("at low", "laag"),
    "at_high": ("at high", "hoog"),
    "base": ("base", "basis"),
    "factor": ("factor", "factor"),
    "sobol": ("Sobol indices: %s", "Sobol-indices: %s"),
    "sobol_alt": ("Share of the variance of %s of %s explained by each factor alone (S1) and "
                  "with interactions (ST), bootstrap 95%% intervals.",
                  "Aandeel van de variantie van %s van %s dat elke factor alleen (S1) en met "
                  "interacties (ST) verklaart, bootstrap 95%%-intervallen."),
    "share_variance": ("share of variance", "aandeel variantie"),
    "morris": ("Morris screening: %s", "Morris-screening: %s"),
    "morris_alt": ("Mean absolute elementary effect mu* of each factor on %s of %s, with its "
                   "bootstrap interval.", "Gemiddeld absoluut elementair effect mu* van elke "
                   "factor op %s van %s, met bootstrap-interval."),
    "mu_star": ("mu* per unit of probability scale", "mu* per eenheid kansschaal"),
    "believe": ("What must be believed: %s", "Wat je moet geloven: %s"),
    "believe_alt": ("Contribution of each lever of %s to %s, plus or minus 2 MCSE.",
                    "Bijdrage van elke hefboom van %s aan %s, plus of min 2 MCSE."),
    "lever": ("lever", "hefboom"),
    "contribution": ("contribution", "bijdrage"),
    "mcse2": ("± 2 MCSE", "± 2 MCSE"),
    "evppi": ("Expected value of partial perfect information (EVPPI)",
              "Verwachte waarde van gedeeltelijke perfecte informatie (EVPPI)"),
    "evppi_alt": ("EVPPI of each parameter group for the choice on %s, plus or minus 2 "
                  "standard errors.", "EVPPI van elke parametergroep voor de keuze op %s, "
                  "plus of min 2 standaardfouten."),
    "parameters": ("parameters", "parameters"),
    "evppi_axis": ("EVPPI", "EVPPI"),
    "se2": ("± 2 SE", "± 2 SE"),
    "sweep": ("Sweep of the outcome over the factors", "De uitkomst over de waarden van de "
              "factoren"),
    "sweep_alt": ("%s over %s per arm against %s.", "%s over %s per alternatief ten opzichte "
                  "van %s."),
    "threshold": ("Threshold: where the decision flips", "Drempel: waar de beslissing omslaagt"),
    "threshold_alt": ("%s of %s minus %s over %s, plus or minus 2 MCSE; where it crosses 0 "
                      "the decision flips.", "%s van %s min %s over %s, plus of min 2 MCSE; "
                      "waar het 0 kruist, slaat de beslissing om."),
    "difference": ("difference", "verschil"),
    "flip": ("flip", "omslag"),
    "expost_npv": ("Net present value for society, ex ante and ex post",
                   "Maatschappelijk saldo, ex ante en ex post"),
    "expost_npv_alt": ("Mean and 95%% interval of the net present value for society against "
                       "%s per arm, before (ex ante) and after (ex post) the observed data.",
                       "Gemiddelde en 95%%-interval van het maatschappelijk saldo ten "
                       "opzichte van %s per alternatief, voor (ex ante) en na (ex post) de "
                       "waargenomen gegevens."),
    "ex_ante": ("ex ante", "ex ante"),
    "ex_post": ("ex post", "ex post"),
    "npv": ("net present value for society", "maatschappelijk saldo"),
    "expost_metric": ("Observed against predicted: %s", "Waargenomen tegen voorspeld: %s"),
    "expost_metric_alt": ("Each observation of %s with its ex-ante and ex-post predictive "
                          "50%% and 90%% intervals.", "Elke waarneming van %s met de "
                          "voorspellende 50%%- en 90%%-intervallen ex ante en ex post."),
    "observed": ("observed", "waargenomen"),
    "observation": ("observation", "waarneming"),
    "interval50_90": ("50% and 90% interval", "50%- en 90%-interval"),
    "money_unit": ("%s per starting household, prices of %s",
                   "%s per starthuishouden, prijspeil %s"),
    "money_year_unit": ("%s per starting household per year, prices of %s",
                        "%s per starthuishouden per jaar, prijspeil %s"),
    "society_at_large": ("society at large", "samenleving algemeen"),
    "sa_npv": ("net present value %s", "saldo %s"),
    "sa_breakeven": ("break-even year %s", "terugverdienjaar %s"),
    "scenario_units": ("scenario units", "eenheden van het scenario"),
    "rate_unit": ("fraction per year", "fractie per jaar"),
    "services_escalations": ("Escalations over time", "Escalaties in de tijd"),
}

# The ex-post metrics (docs/expost.md, "Metrics"): name and unit in English
# and Dutch.
METRICS = {
    "reached": (("reached", "bereikt"),
                ("per 1000 households per year", "per 1000 huishoudens per jaar")),
    "registered_problems": (("registered problems", "geregistreerde problemen"),
                            ("per 1000 households per year", "per 1000 huishoudens per jaar")),
    "waiting_list": (("waiting list", "wachtlijst"),
                     ("per 1000 households", "per 1000 huishoudens")),
    "mean_wait": (("mean wait", "gemiddelde wachttijd"), ("years", "jaar")),
    "escalations": (("escalations", "escalaties"),
                    ("per 1000 households per year", "per 1000 huishoudens per jaar")),
    "in_state": (("households in the state", "huishoudens in de toestand"),
                 ("per 1000 households", "per 1000 huishoudens")),
    "with_problem": (("households with the problem", "huishoudens met het probleem"),
                     ("per 1000 households", "per 1000 huishoudens")),
    "spending": (("spending", "uitgaven"), None),        # money: the run's own unit
}

# Bars of at most this many factors (the largest), as the tables sort them.
MAX_BARS = 40


class NumberFormatter(Formatter):
    """Tick labels in the report's number style (1.234,5 in Dutch), with as
    many decimals as the step between ticks needs; shares as percentages."""

    def __init__(self, plots, percent):
        self.plots = plots
        self.percent = percent
        self.decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        scale = 100 if self.percent else 1
        steps = np.diff(np.sort(np.asarray(locs, dtype=float) * scale))
        steps = steps[steps > 0]
        self.decimals = 0
        if len(steps):
            step = steps.min()
            while self.decimals < 6 and abs(step * 10 ** self.decimals
                                            - round(step * 10 ** self.decimals)) > 1e-6:
                self.decimals += 1

    def __call__(self, x, pos=None):
        if self.percent:
            return self.plots.number(100 * x, self.decimals) + "%"
        return self.plots.number(x, self.decimals)


class Plots:
    def __init__(self, path, outdir, nl, budget_arm, municipality):
        self.f = h5py.File(path, "r")
        self.outdir = outdir
        self.nl = nl
        self.budget_arm = budget_arm
        self.municipality = municipality
        self.manifest = []
        self.currency = self.attr("/", "currency") or "EUR"
        self.price_year = self.attr("/", "price_year")
        self.arms = self.strings("/labels/arms")
        ref = self.attr("/", "reference_arm")
        self.ref = self.arms.index(ref) if ref in self.arms else 0
        self.money = self.s("money_unit") % (self.currency, self.price_year)

    # ---- reading ----
    def has(self, name):
        return name in self.f

    def attr(self, obj, name):
        if obj not in self.f or name not in self.f[obj].attrs:
            return None
        v = self.f[obj].attrs[name]
        if isinstance(v, np.ndarray):
            v = v.flat[0]
        return v.decode("utf-8") if isinstance(v, bytes) else v.item() if hasattr(v, "item") \
            else v

    def strings(self, name):
        if name not in self.f:
            return []
        return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in self.f[name][()]]

    def data(self, name):
        return np.asarray(self.f[name][()], dtype=float)

    # ---- words and numbers ----
    def s(self, key):
        return STRINGS[key][1 if self.nl else 0]

    def number(self, v, decimals=0):
        if not math.isfinite(v):
            return "n/a"
        text = "{:,.{}f}".format(v, decimals)
        if text.startswith("-") and float(text.replace(",", "")) == 0:
            text = text[1:]
        if self.nl:
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text.replace("-", "\u2212")

    def formatter(self, percent=False):
        return NumberFormatter(self, percent)

    # ---- drawing ----
    def figure(self, width, height, ncols=1, nrows=1):
        fig, ax = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
        for a in ax.flat:
            a.grid(True, color="#E3E3E3", linewidth=0.6)
            a.set_axisbelow(True)
            a.spines["top"].set_visible(False)
            a.spines["right"].set_visible(False)
        fig.mkba_axes = []
        return fig, ax

    def axis(self, fig, ax, which, label, unit, percent=False):
        """Labels an axis "label (unit)"; unit None for categories."""
        text = label if unit is None else "%s (%s)" % (label, unit)
        # A long label breaks before its unit rather than run off the chart.
        shown = text if unit is None or len(text) <= 36 else "%s\n(%s)" % (label, unit)
        (ax.set_xlabel if which == "x" else ax.set_ylabel)(shown)
        if unit is not None:
            target = ax.xaxis if which == "x" else ax.yaxis
            target.set_major_formatter(self.formatter(percent))
        fig.mkba_axes.append({"label": text, "unit": unit})

    def save(self, fig, cid, section, title, alt, heading="", values=None):
        """Writes the chart and its manifest entry; `values` (name: the
        array handed to matplotlib) go into the entry, so a test compares
        what was drawn with the file."""
        # Every visible axis must be labelled: the check the manifest reports.
        for ax in fig.axes:
            if not ax.get_visible() or ax.get_label() == "<colorbar>":
                continue
            for lab in (ax.get_xlabel(), ax.get_ylabel()):
                if ax.axison and lab.strip() == "" and not getattr(ax, "mkba_no_label", False):
                    raise RuntimeError("chart %s has an axis without a label" % cid)
        name = "%03d-%s.svg" % (len(self.manifest) + 1, safe(cid))
        fig.tight_layout()
        fig.savefig(os.path.join(self.outdir, name), format="svg",
                    metadata={"Date": None, "Creator": "mkba (matplotlib)"})
        plt.close(fig)
        entry = {"id": cid, "file": name, "section": section, "heading": heading,
                 "title": title, "alt": alt, "axes": fig.mkba_axes}
        if values:
            entry["values"] = {k: [float(x) if math.isfinite(x) else None
                                   for x in np.asarray(v, dtype=float).ravel()]
                               for k, v in values.items()}
        self.manifest.append(entry)

    def colour(self, i):
        return PALETTE[i % len(PALETTE)]

    def legend_above(self, ax, ncol):
        """A legend in one band above the axes (for bar charts that fill them)."""
        ax.legend(frameon=False, ncol=ncol, fontsize=8, loc="lower center",
                  bbox_to_anchor=(0.5, 1.0), borderaxespad=0.3)

    def legend(self, ax, ncol=None, loc="best"):
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(handles, labels, frameon=False, loc=loc,
                      ncol=ncol or (1 if len(handles) < 4 else 2), fontsize=8)

    # ---- the run file ----
    def primary(self):
        name = self.attr("/", "primary_effect")
        effects = self.strings("/labels/effects")
        if not name or name not in effects:
            return None
        e = effects.index(name)
        units = self.strings("/labels/effect_units")
        lower = self.data("/labels/effect_lower_is_better") if self.has(
            "/labels/effect_lower_is_better") else np.zeros(len(effects))
        unit = units[e] if e < len(units) and units[e] else name
        return e, name, unit, -1.0 if lower[e] else 1.0

    def society_cost(self):
        """Society's net cost [D][A], the decision outputs' C
        (docs/decision.md): every payer's discounted cost less the monetary
        effects, which all count for society (the primary effect is never
        one)."""
        cost = self.data("/draws/cost_total_discounted").sum(axis=2)
        money = self.data("/labels/effect_monetary").astype(bool)
        if money.any():
            cost = cost - self.data("/draws/effect_total_discounted")[:, :, money].sum(axis=2)
        return cost

    def net_cost_stored(self):
        """Whether /analysis was written on the net cost (attribute cost);
        an older file's stored CEAC and frontier used the payers' costs
        alone and are not drawn from the file."""
        return self.attr("/analysis", "cost") is not None

    def ceac_of(self, eff, cost, wtp):
        """P(best) [W][A] of NMB = wtp x eff - cost, a tie shared, and the
        arm with the highest mean NMB [W] (docs/decision.md)."""
        prob = np.zeros((len(wtp), cost.shape[1]))
        best = np.zeros(len(wtp), dtype=int)
        for i, w in enumerate(wtp):
            nmb = w * eff - cost
            top = nmb == nmb.max(axis=1, keepdims=True)
            prob[i] = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
            best[i] = int(np.argmax(nmb.mean(axis=0)))
        return prob, best

    def plane(self):
        p = self.primary()
        if p is None:
            return
        e, name, unit, sign = p
        eff = sign * self.data("/draws/effect_total_discounted")[:, :, e]
        cost = self.society_cost()
        dx = eff - eff[:, [self.ref]]
        dy = cost - cost[:, [self.ref]]
        fig, ax = self.figure(WIDTH, 4.2)
        a0 = ax[0, 0]
        a0.axhline(0, color=GREY, linewidth=0.8)
        a0.axvline(0, color=GREY, linewidth=0.8)
        many = dx.size > 3000      # a cloud of many points: one image, not a path each
        size = 6 if dx.shape[0] > 500 else 14
        for a, arm in enumerate(self.arms):
            if a == self.ref:
                continue
            c = self.colour(a)
            a0.scatter(dx[:, a], dy[:, a], s=size, color=c, alpha=0.45, linewidths=0,
                       rasterized=many, label=arm)
            a0.scatter([dx[:, a].mean()], [dy[:, a].mean()], s=70, color=c, edgecolors=BLACK,
                       linewidths=0.8, zorder=3)
        self.axis(fig, a0, "x", self.s("improvement") % name, unit)
        self.axis(fig, a0, "y", self.s("extra_cost"), self.money)
        self.legend(a0)
        title = self.s("plane")
        means = "; ".join("%s: %s %s, %s %s" % (arm, self.number(dx[:, a].mean(), 4), unit,
                                                 self.number(dy[:, a].mean()), self.currency)
                          for a, arm in enumerate(self.arms) if a != self.ref)
        self.save(fig, "plane", "plane", title,
                  self.s("plane_alt") % self.arms[self.ref] + " " + means)

    def ceac(self):
        p = self.primary()
        if p is None or not self.has("/analysis/ceac/probability_best"):
            return
        wtp = self.data("/analysis/ceac/wtp")
        if len(wtp) < 2:
            return                # no curve and no frontier (the report says why)
        if self.ndraws() >= 2:
            if self.net_cost_stored():
                prob = self.data("/analysis/ceac/probability_best")      # [W][A]
                best = self.data("/analysis/ceac/frontier_arm").astype(int)
            else:
                prob, best = self.ceac_of(
                    p[3] * self.data("/draws/effect_total_discounted")[:, :, p[0]],
                    self.society_cost(), wtp)
            fig, ax = self.figure(WIDTH, 3.4)
            a0 = ax[0, 0]
            for a, arm in enumerate(self.arms):
                c = self.colour(a)
                a0.plot(wtp, prob[:, a], color=c, linewidth=2, label=arm)
                on = best == a
                a0.plot(wtp[on], prob[on, a], "o", color=c, markersize=5)
            a0.set_ylim(-0.02, 1.02)
            self.axis(fig, a0, "x", self.s("wtp") % p[2], self.money)
            self.axis(fig, a0, "y", self.s("p_best"), "%", percent=True)
            self.legend(a0)
            self.save(fig, "ceac", "ceac", self.s("ceac"), self.s("ceac_alt"))
        self.frontier(p)

    def frontier(self, p):
        if not self.has("/analysis/frontier/values"):
            return
        e, name, unit, sign = p
        v = self.data("/analysis/frontier/values")                       # [A][7]
        status = self.data("/analysis/frontier/status").astype(int)
        prev = self.data("/analysis/frontier/previous").astype(int)
        eff = sign * self.data("/draws/effect_total_discounted")[:, :, e]
        cost = self.society_cost()
        current = self.net_cost_stored()
        if not current:           # the points on the net cost, no stale frontier line
            v = v.copy()
            v[:, 0] = cost.mean(axis=0)
        fig, ax = self.figure(WIDTH, 3.6)
        a0 = ax[0, 0]
        on = [a for a in range(len(self.arms)) if status[a] == 0 and current]
        if on:
            top = max(on, key=lambda a: v[a, 0])
            chain, a = [], top
            while 0 <= a < len(self.arms) and len(chain) <= len(self.arms):
                chain.append(a)
                a = prev[a]
            if len(chain) >= 2:
                a0.plot(v[chain, 1], v[chain, 0], "--", color=GREY, linewidth=1.2,
                        label=self.s("frontier_line"))
        for a, arm in enumerate(self.arms):
            lo_e, hi_e = np.percentile(eff[:, a], [2.5, 97.5])
            lo_c, hi_c = np.percentile(cost[:, a], [2.5, 97.5])
            a0.errorbar([v[a, 1]], [v[a, 0]], xerr=whiskers([v[a, 1]], [lo_e], [hi_e]),
                        yerr=whiskers([v[a, 0]], [lo_c], [hi_c]), fmt="o",
                        color=self.colour(a), markersize=7, capsize=3, linewidth=1.2,
                        label=arm)
        self.axis(fig, a0, "x", self.s("mean_effect") % name, unit)
        self.axis(fig, a0, "y", self.s("mean_cost"), self.money)
        self.legend(a0)
        self.save(fig, "frontier", "frontier", self.s("frontier"),
                  self.s("frontier_alt") % name)

    def ndraws(self):
        return self.f["/draws/cost_total_discounted"].shape[0]

    def perspectives(self):
        """(index, name in the file, name shown) of each perspective drawn."""
        names = self.strings("/labels/perspectives")
        return [(k, n, self.perspective_name(n)) for k, n in enumerate(names)
                if not (n == "municipality" and self.municipality is None)]

    def perspective_name(self, name):
        """The two fixed perspectives in the report's language (STRINGS);
        a payer's perspective is the payer's own name."""
        return self.s(name) if name in ("society", "municipality") else name

    def cashflow(self):
        if len(self.arms) < 2 or not self.has("/analysis/cashflow/cumulative_discounted_mean"):
            return
        mean = self.data("/analysis/cashflow/cumulative_discounted_mean")  # [K][A][Y]
        Y = mean.shape[2]
        if Y == 0:
            return
        cum = self.data("/analysis/cashflow/cumulative_discounted") \
            if self.has("/analysis/cashflow/cumulative_discounted") else None  # [K][D][A][Y]
        be = self.data("/analysis/cashflow/breakeven_by_year")               # [K][A][Y]
        years = np.arange(1, Y + 1)
        others = [a for a in range(len(self.arms)) if a != self.ref]
        for k, name, shown in self.perspectives():
            fig, ax = self.figure(WIDTH, 2.9, ncols=2)
            left, right = ax[0, 0], ax[0, 1]
            left.axhline(0, color=GREY, linewidth=0.8)
            width = 0.8 / max(1, len(others))
            for j, a in enumerate(others):
                c = self.colour(a)
                if cum is not None and cum.shape[1] >= 2:
                    lo, hi = np.nanpercentile(cum[k, :, a, :], [5, 95], axis=0)
                    m = np.nanmean(cum[k, :, a, :], axis=0)
                    left.fill_between(years, lo, hi, color=c, alpha=0.22, linewidth=0)
                else:
                    m = mean[k, a]
                left.plot(years, m, color=c, linewidth=2, label=self.arms[a])
                right.bar(years - 0.4 + width * (j + 0.5), be[k, a], width=width, color=c,
                          label=self.arms[a])
            right.set_ylim(0, 1.02)
            right.xaxis.set_major_locator(MaxNLocator(integer=True))
            left.xaxis.set_major_locator(MaxNLocator(integer=True))
            self.axis(fig, left, "x", self.s("time"), self.s("years"))
            self.axis(fig, left, "y", self.s("cumulative"), self.money)
            self.axis(fig, right, "x", self.s("time"), self.s("years"))
            self.axis(fig, right, "y", self.s("broken_even"), "%", percent=True)
            self.legend(left)
            if cum is not None and cum.shape[1] >= 2:
                left.fill_between([], [], [], color=GREY, alpha=0.3, label=self.s("band90"))
                self.legend(left)
            title = self.s("perspective") % shown
            last = "; ".join("%s, %s %d: %s %s" % (self.arms[a], self.s("year"), Y,
                                                   self.number(float(np.nanmean(cum[k, :, a, -1]))
                                                               if cum is not None
                                                               else mean[k, a, -1]),
                                                   self.currency) for a in others)
            self.save(fig, "cashflow_" + name, "cashflow", title,
                      self.s("cash_alt") % (shown, self.arms[self.ref]) + " " + last,
                      heading=title)

    def payers(self):
        if len(self.arms) < 2 or not self.has("/analysis/payers/table"):
            return
        table = self.data("/analysis/payers/table")                        # [A][rows][6]
        payers = self.strings("/labels/payers")
        rows = [(p, payers[p]) for p in range(len(payers))]
        P = len(payers)
        # Row P: monetary effects no payer gains; with it the bars add up
        # to the society row.
        rows.append((P, self.s("society_at_large")))
        rows.append((P + 1, self.s("society")))
        if self.municipality is not None:
            rows.append((P + 2, self.s("municipality")))
        n = len(rows)
        for a, arm in enumerate(self.arms):
            if a == self.ref:
                continue
            fig, ax = self.figure(WIDTH, 1.3 + 0.3 * n)
            a0 = ax[0, 0]
            y = np.arange(n)[::-1]
            v = np.array([table[a, r] for r, _ in rows])
            a0.barh(y, -v[:, 0], height=0.6, color=VERMILLION, label=self.s("pays"))
            a0.barh(y, v[:, 1], height=0.6, color=SKY, label=self.s("gains"))
            a0.errorbar(v[:, 2], y, xerr=whiskers(v[:, 2], v[:, 3], v[:, 4]), fmt="o",
                        color=BLACK, markersize=4, capsize=2.5, linewidth=1.2,
                        label=self.s("net95"))
            a0.axvline(0, color=GREY, linewidth=0.8)
            a0.set_yticks(y, [name for _, name in rows])
            self.axis(fig, a0, "x", self.s("present_value"), self.money)
            self.axis(fig, a0, "y", self.s("payer"), None)
            self.legend_above(a0, 3)
            self.save(fig, "payers_" + arm, "payers", arm,
                      self.s("payers_alt") % (arm, self.arms[self.ref]), heading=arm,
                      values={"row": [r for r, _ in rows], "pays": v[:, 0],
                              "gains": v[:, 1], "net": v[:, 2]})

    def budget(self):
        a = self.budget_arm
        if a is None or self.municipality is None or a == self.ref \
                or not self.has("/analysis/cashflow/net_undiscounted_mean"):
            return
        names = self.strings("/labels/perspectives")
        payers = self.strings("/labels/payers")
        municipal = self.data("/labels/payer_municipal") if self.has(
            "/labels/payer_municipal") else np.zeros(len(payers))
        kp = [names.index(p) for i, p in enumerate(payers) if municipal[i] and p in names]
        if not kp:
            return
        net = self.data("/analysis/cashflow/net_undiscounted_mean")          # [K][A][Y]
        Y = net.shape[2]
        years = np.arange(1, Y + 1)
        fig, ax = self.figure(WIDTH, 3.6)
        a0 = ax[0, 0]
        up, down = np.zeros(Y), np.zeros(Y)
        for i, k in enumerate(kp):
            v = net[k, a]
            base = np.where(v >= 0, up, down)
            a0.bar(years, v, bottom=base, width=0.7, color=self.colour(i + 1), label=names[k])
            up += np.where(v >= 0, v, 0)
            down += np.where(v < 0, v, 0)
        m = self.municipality
        total = net[m, a]
        err = None
        if self.has("/analysis/cashflow/net_undiscounted"):
            draws = self.data("/analysis/cashflow/net_undiscounted")[m, :, a, :]  # [D][Y]
            if draws.shape[0] >= 2:
                lo, hi = np.nanpercentile(draws, [5, 95], axis=0)
                err = whiskers(total, lo, hi)
        a0.errorbar(years, total, yerr=err, fmt="o-", color=BLACK, linewidth=1.8,
                    markersize=4, capsize=3, elinewidth=1,
                    label=self.s("municipality") + ("" if err is None else
                                                    ", " + self.s("band90")))
        a0.axhline(0, color=GREY, linewidth=0.8)
        a0.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.axis(fig, a0, "x", self.s("time"), self.s("years"))
        self.axis(fig, a0, "y", self.s("net_year"),
                  self.s("money_year_unit") % (self.currency, self.price_year))
        self.legend(a0)
        self.save(fig, "budget", "budget", self.s("budget"),
                  self.s("budget_alt") % (self.arms[a], self.arms[self.ref]))

    def ranking(self):
        A = len(self.arms)
        if A < 2 or A > 60 or self.ndraws() < 2 or not self.has("/analysis/ranking/npv_rank"):
            return
        rank = self.data("/analysis/ranking/npv_rank")                       # [A][rank]
        fig, ax = self.figure(WIDTH, 1.5 + 0.32 * A)
        a0 = ax[0, 0]
        y = np.arange(A)[::-1]
        left = np.zeros(A)
        for r in range(A):
            a0.barh(y, rank[:, r], left=left, height=0.7, color=self.colour(r),
                    label=self.s("rank") % (r + 1))
            left += rank[:, r]
        a0.set_yticks(y, self.arms)
        a0.set_xlim(0, 1)
        self.axis(fig, a0, "x", self.s("share_draws"), "%", percent=True)
        self.axis(fig, a0, "y", self.s("arm"), None)
        self.legend_above(a0, min(A, 6))
        first = "; ".join("%s: %s %s%%" % (arm, self.s("rank") % 1, self.number(100 * rank[a, 0]))
                          for a, arm in enumerate(self.arms))
        self.save(fig, "ranking", "ranking", self.s("ranking"),
                  self.s("ranking_alt") + " " + first)

    def services(self):
        panels = []
        per = self.s("per_household")
        for key, name, unit in (("svc_reached", "reached", per), ("svc_queue", "queue", per),
                                ("svc_wait", "mean_wait", self.s("years")),
                                ("svc_fte", "fte_used", self.s("fte"))):
            if self.has("/draws/services/" + name):
                panels.append((key, self.data("/draws/services/" + name), unit))
        if self.has("/draws/escalations") and self.f["/draws/escalations"].shape[3] > 0:
            panels.append(("svc_escalations", self.data("/draws/escalations").sum(axis=3), per))
        if not panels:
            return
        cycle = float(self.attr("/", "cycle_years") or 1.0)
        ncols = 2
        nrows = (len(panels) + 1) // 2
        fig, ax = self.figure(WIDTH, 2.4 * nrows, ncols=ncols, nrows=nrows)
        for i, (key, v, unit) in enumerate(panels):                        # v: [D][A][T]
            a0 = ax.flat[i]
            T = v.shape[2]
            x = np.arange(1, T + 1) * cycle
            for a, arm in enumerate(self.arms):
                c = self.colour(a)
                if v.shape[0] >= 2:
                    lo, hi = np.nanpercentile(v[:, a, :], [5, 95], axis=0)
                    a0.fill_between(x, lo, hi, color=c, alpha=0.22, linewidth=0)
                a0.plot(x, np.nanmean(v[:, a, :], axis=0), color=c, linewidth=2, label=arm)
            a0.set_title(self.s(key), fontsize=9)
            self.axis(fig, a0, "x", self.s("time"), self.s("years"))
            self.axis(fig, a0, "y", self.s(key), unit)
        for j in range(len(panels), nrows * ncols):
            ax.flat[j].set_visible(False)
        self.legend(ax.flat[0])
        only_escalations = len(panels) == 1 and panels[0][0] == "svc_escalations"
        self.save(fig, "services", "services",
                  self.s("services_escalations" if only_escalations else "services"),
                  self.s("services_alt"))

    # ---- the sensitivity file ----
    def sa_setup(self):
        self.outcomes = self.strings("/sa/outcome")
        self.units = self.strings("/sa/outcome_units")
        self.factors = self.strings("/sa/factor")
        out = self.attr("/sa", "outcome")
        self.k = self.outcomes.index(out) if out in self.outcomes else 0
        self.out_name, self.out_unit = self.sa_outcome(
            self.outcomes[self.k], self.units[self.k] if self.k < len(self.units) else "?")

    def sa_outcome(self, name, unit):
        """An sa outcome's name and unit as shown: npv:P and breakeven:P in
        words of the report's language, money in the run's own unit
        (currency, per starting household, price year); others as stored."""
        kind, _, persp = name.partition(":")
        money = self.money if self.price_year is not None else unit
        if kind == "npv" and persp:
            return self.s("sa_npv") % self.perspective_name(persp), money
        if kind == "breakeven" and persp:
            return self.s("sa_breakeven") % self.perspective_name(persp), self.s("year")
        if kind in ("incremental_cost", "cost"):
            return name, money
        return name, unit

    def bars(self, cid, heading, alt, labels, value, lo, hi, xlabel, unit, colours=None,
             legend=None):
        n = min(len(labels), MAX_BARS)
        fig, ax = self.figure(WIDTH, 1.0 + 0.28 * n)
        a0 = ax[0, 0]
        y = np.arange(n)[::-1]
        value, lo, hi = value[:n], lo[:n], hi[:n]
        col = colours[:n] if colours is not None else [BLUE if v >= 0 else VERMILLION
                                                         for v in value]
        a0.barh(y, value, height=0.6, color=col)
        ok = np.isfinite(lo) & np.isfinite(hi)
        a0.errorbar(value[ok], y[ok], xerr=whiskers(value[ok], lo[ok], hi[ok]), fmt="none",
                    ecolor=BLACK, capsize=2.5, linewidth=1.1, label=legend)
        a0.axvline(0, color=GREY, linewidth=0.8)
        a0.set_yticks(y, labels[:n])
        self.axis(fig, a0, "x", xlabel, unit)
        self.axis(fig, a0, "y", self.s("factor") if cid.startswith(("morris", "sobol"))
                  else self.s("lever") if cid.startswith("believe") else self.s("parameters"),
                  None)
        if legend:
            self.legend(a0)
        self.save(fig, cid, "sensitivity", heading, alt, heading=heading)

    def tornado(self):
        low = self.data("/sa/tornado/low")[:, :, self.k]                   # [F][A]
        high = self.data("/sa/tornado/high")[:, :, self.k]
        base = self.data("/sa/tornado/base")[:, self.k] if self.has("/sa/tornado/base") \
            else None
        mcse = self.data("/sa/tornado/swing_mcse")[:, :, self.k] \
            if self.has("/sa/tornado/swing_mcse") else None                  # [F][A]
        for a, arm in enumerate(self.arms):
            if a == self.ref:
                continue
            swing = np.abs(high[:, a] - low[:, a])
            order = sorted(range(len(self.factors)),
                           key=lambda i: (math.isnan(swing[i]), -np.nan_to_num(swing[i])))
            order = order[:MAX_BARS]
            n = len(order)
            mid = base[a] if base is not None and math.isfinite(base[a]) else None
            fig, ax = self.figure(WIDTH, 1.0 + 0.28 * n)
            a0 = ax[0, 0]
            y = np.arange(n)[::-1]
            for j, i in enumerate(order):
                centre = mid if mid is not None else 0.5 * (low[i, a] + high[i, a])
                a0.barh(y[j], low[i, a] - centre, left=centre, height=0.6, color=SKY,
                        label=self.s("at_low") if j == 0 else None)
                a0.barh(y[j], high[i, a] - centre, left=centre, height=0.6, color=BLUE,
                        label=self.s("at_high") if j == 0 else None)
            if mcse is not None:
                # The Monte Carlo error of the swing at both ends of each bar:
                # a bar shorter than its whiskers is not told from none.
                m = 2 * mcse[order, a]
                ends = np.concatenate([low[order, a], high[order, a]])
                bars = a0.errorbar(ends, np.concatenate([y, y]),
                                   xerr=np.nan_to_num(np.concatenate([m, m])), fmt="none",
                                   ecolor=BLACK, capsize=2, linewidth=1,
                                   label=self.s("mcse2"))
                bars.lines[2][0].set_gid("mcse")   # the tests read its segments
            a0.axvline(0, color=GREY, linewidth=0.8)
            if mid is not None:
                a0.axvline(mid, color=BLACK, linewidth=1.2, label=self.s("base"))
            reach = 2 * np.nan_to_num(mcse[order, a]) if mcse is not None else 0
            lo = min(0, np.nanmin(np.minimum(low[order, a], high[order, a]) - reach))
            hi = max(0, np.nanmax(np.maximum(low[order, a], high[order, a]) + reach))
            pad = 0.05 * (hi - lo if hi > lo else 1)
            a0.set_xlim(lo - pad, hi + pad)
            a0.set_yticks(y, [self.factors[i] for i in order])
            self.axis(fig, a0, "x", self.out_name, self.out_unit)
            self.axis(fig, a0, "y", self.s("factor"), None)
            self.legend(a0)
            heading = self.s("tornado") % arm
            self.save(fig, "tornado_" + arm, "sensitivity", heading,
                      self.s("tornado_alt") % (self.out_name, arm), heading=heading,
                      values={"factor": order, "low": low[order, a], "high": high[order, a],
                              "mcse2": 2 * mcse[order, a] if mcse is not None else []})

    def sobol(self):
        s1 = self.data("/sa/sobol/first_order")                               # [A][F][3]
        st = self.data("/sa/sobol/total_order")
        var = self.data("/sa/sobol/variance")
        for a, arm in enumerate(self.arms):
            if a == self.ref or not math.isfinite(var[a]) or var[a] == 0:
                continue
            order = sorted(range(len(self.factors)),
                           key=lambda i: (math.isnan(st[a, i, 0]), -np.nan_to_num(st[a, i, 0])))
            order = order[:MAX_BARS]
            n = len(order)
            fig, ax = self.figure(WIDTH, 1.0 + 0.36 * n)
            a0 = ax[0, 0]
            y = np.arange(n)[::-1]
            for off, v, c, name in ((0.18, s1, SKY, "S1"), (-0.18, st, BLUE, "ST")):
                val = v[a, order, 0]
                a0.barh(y + off, np.maximum(val, 0), height=0.34, color=c, label=name)
                a0.errorbar(val, y + off, xerr=whiskers(val, v[a, order, 1], v[a, order, 2]),
                            fmt="none", ecolor=BLACK, capsize=2, linewidth=1)
            a0.set_yticks(y, [self.factors[i] for i in order])
            a0.set_xlim(left=min(0, np.nanmin(s1[a, order, 1]) - 0.02))
            self.axis(fig, a0, "x", self.s("share_variance"), "0–1")
            self.axis(fig, a0, "y", self.s("factor"), None)
            self.legend(a0)
            heading = self.s("sobol") % arm
            self.save(fig, "sobol_" + arm, "sensitivity", heading,
                      self.s("sobol_alt") % (self.out_name, arm), heading=heading)

    def morris(self):
        mu = self.data("/sa/morris/mu_star")                                  # [A][F]
        lo = self.data("/sa/morris/mu_star_low")
        hi = self.data("/sa/morris/mu_star_high")
        for a, arm in enumerate(self.arms):
            if a == self.ref or not math.isfinite(mu[a, 0]):
                continue
            order = sorted(range(len(self.factors)),
                           key=lambda i: (math.isnan(mu[a, i]), -np.nan_to_num(mu[a, i])))
            heading = self.s("morris") % arm
            self.bars("morris_" + arm, heading, self.s("morris_alt") % (self.out_name, arm),
                      [self.factors[i] for i in order], mu[a, order], lo[a, order],
                      hi[a, order], self.s("mu_star"), self.out_unit)

    def believe(self):
        lever = self.strings("/sa/believe/lever")
        arm_of = self.data("/sa/believe/lever_arm").astype(int)
        c = self.data("/sa/believe/contribution").reshape(len(lever), 2)
        npv = self.data("/sa/believe/arm_npv")
        for a, arm in enumerate(self.arms):
            if a == self.ref or not math.isfinite(npv[a, 0]):
                continue
            ls = sorted([l for l in range(len(lever)) if arm_of[l] == a],
                        key=lambda l: (math.isnan(c[l, 0]), -abs(np.nan_to_num(c[l, 0]))))
            if not ls:
                continue
            heading = self.s("believe") % arm
            v, m = c[ls, 0], c[ls, 1]
            self.bars("believe_" + arm, heading, self.s("believe_alt") % (arm, self.out_name),
                      [lever[l] for l in ls], v, v - 2 * m, v + 2 * m, self.s("contribution"),
                      self.out_unit, legend=self.s("mcse2"))

    def evppi(self):
        group = self.strings("/sa/evppi/group")
        ev = self.data("/sa/evppi/evppi")
        se = self.data("/sa/evppi/se")
        order = sorted(range(len(group)), key=lambda g: (math.isnan(ev[g]), -np.nan_to_num(ev[g])))
        v, s = ev[order], se[order]
        self.bars("evppi", self.s("evppi"), self.s("evppi_alt") % self.out_name,
                  [group[g] for g in order], v, v - 2 * s, v + 2 * s, self.s("evppi_axis"),
                  self.out_unit, legend=self.s("se2"))

    def sweep(self):
        g1 = self.data("/sa/sweep/grid_1")
        g2 = self.data("/sa/sweep/grid_2")
        y = self.data("/sa/sweep/outcomes")[:, :, :, self.k]                 # [N1][N2][A]
        fx = self.factors[0] if self.factors else "first"
        arms = [a for a in range(len(self.arms)) if a != self.ref]
        heading = self.s("sweep")
        if len(g2) <= 1:
            fig, ax = self.figure(WIDTH, 3.4)
            a0 = ax[0, 0]
            a0.axhline(0, color=GREY, linewidth=0.8)
            for a in arms:
                line, = a0.plot(g1, y[:, 0, a], "o-", color=self.colour(a), linewidth=2,
                                markersize=4, label=self.arms[a])
                line.set_gid("data-" + safe(self.arms[a]))   # the tests count its points
            self.axis(fig, a0, "x", fx, self.factor_unit(0))
            self.axis(fig, a0, "y", self.out_name, self.out_unit)
            self.legend(a0)
            self.save(fig, "sweep", "sensitivity", heading,
                      self.s("sweep_alt") % (self.out_name, fx, self.arms[self.ref]),
                      heading=heading)
            return
        fy = self.factors[1] if len(self.factors) > 1 else "second"
        span = np.nanmax(np.abs(y[:, :, arms])) if arms else 1.0
        span = span if span > 0 else 1.0
        for a in arms:
            z = y[:, :, a].T                                                  # [N2][N1]
            fig, ax = self.figure(WIDTH, 1.4 + min(0.3 * len(g2), 7.5))
            a0 = ax[0, 0]
            a0.grid(False)
            im = a0.imshow(z, origin="lower", aspect="auto", cmap=DIVERGING, vmin=-span,
                           vmax=span, interpolation="nearest")
            step_x, step_y = max(1, (len(g1) + 11) // 12), max(1, (len(g2) + 39) // 40)
            a0.set_xticks(range(0, len(g1), step_x),
                          [self.number(v, 3).rstrip("0").rstrip(",.") for v in g1[::step_x]])
            a0.set_yticks(range(0, len(g2), step_y),
                          [self.number(v, 3).rstrip("0").rstrip(",.") for v in g2[::step_y]])
            if len(g1) <= 10 and len(g2) <= 12:
                for i in range(len(g1)):
                    for j in range(len(g2)):
                        v = z[j, i]
                        a0.text(i, j, self.number(v, 0), ha="center", va="center", fontsize=7,
                                color="white" if abs(v) > 0.6 * span else BLACK)
            bar = fig.colorbar(im, ax=a0)
            bar.set_label("%s (%s)" % (self.out_name, self.out_unit))
            bar.ax.yaxis.set_major_formatter(self.formatter())
            fig.mkba_axes.append({"label": "%s (%s)" % (self.out_name, self.out_unit),
                                  "unit": self.out_unit})
            a0.set_xlabel("%s (%s)" % (fx, self.factor_unit(0)))
            a0.set_ylabel("%s (%s)" % (fy, self.factor_unit(1)))
            fig.mkba_axes += [{"label": a0.get_xlabel(), "unit": self.factor_unit(0)},
                              {"label": a0.get_ylabel(), "unit": self.factor_unit(1)}]
            arm = self.arms[a]
            self.save(fig, "sweep_" + arm, "sensitivity", arm,
                      self.s("sweep_alt") % (self.out_name, fx + ", " + fy,
                                             self.arms[self.ref]),
                      heading=heading + ": " + arm)

    def factor_unit(self, i):
        """A swept factor's unit: years for the horizon, a fraction per
        year for a discount rate; a parameter is in the units its scenario
        gives it (the file does not store them; docs/report.md)."""
        name = self.factors[i] if i < len(self.factors) else ""
        if name == "horizon":
            return self.s("years")
        if name.startswith("discount_rate"):
            return self.s("rate_unit")
        return self.s("scenario_units")

    def threshold(self):
        x = self.data("/sa/threshold/grid")
        d = self.data("/sa/threshold/difference")
        m = self.data("/sa/threshold/difference_mcse")
        if len(x) < 2:
            return
        root = self.data("/sa/threshold/root") if self.has("/sa/threshold/root") else []
        fx = self.factors[0] if self.factors else "?"
        arm = self.attr("/sa", "arm") or "?"
        versus = self.attr("/sa", "versus") or "?"
        fig, ax = self.figure(WIDTH, 3.4)
        a0 = ax[0, 0]
        a0.axhline(0, color=GREY, linewidth=0.8)
        a0.fill_between(x, d - 2 * m, d + 2 * m, color=BLUE, alpha=0.2, linewidth=0,
                        label=self.s("mcse2"))
        a0.plot(x, d, "o-", color=BLUE, linewidth=2, markersize=3, label=self.s("difference"))
        for j, r in enumerate(root):
            a0.axvline(r, color=VERMILLION, linewidth=1.2, linestyle="--",
                       label=self.s("flip") if j == 0 else None)
        self.axis(fig, a0, "x", fx, self.factor_unit(0))
        self.axis(fig, a0, "y", "%s, %s − %s" % (self.out_name, arm, versus), self.out_unit)
        self.legend(a0)
        heading = self.s("threshold")
        self.save(fig, "threshold", "sensitivity", heading,
                  self.s("threshold_alt") % (self.out_name, arm, versus, fx), heading=heading)

    # ---- ex post ----
    def expost(self):
        if not self.has("/expost"):
            return
        self.expost_npv()
        self.expost_metrics()

    def expost_npv(self):
        if not (self.has("/expost/posterior/npv") and self.has("/analysis/cashflow/npv")):
            return
        before = self.data("/analysis/cashflow/npv")[0]                      # [A][3]
        after = self.data("/expost/posterior/npv")[0]
        arms = [a for a in range(len(self.arms)) if a != self.ref]
        if not arms:
            return
        fig, ax = self.figure(WIDTH, 1.8 + 0.45 * len(arms))
        a0 = ax[0, 0]
        y = np.arange(len(arms))[::-1]
        for off, v, c, key in ((0.15, before, SKY, "ex_ante"), (-0.15, after, BLUE, "ex_post")):
            m = v[arms, 0]
            a0.errorbar(m, y + off, xerr=whiskers(m, v[arms, 1], v[arms, 2]), fmt="o", color=c,
                        markersize=6, capsize=3, linewidth=1.5, label=self.s(key))
        a0.axvline(0, color=GREY, linewidth=0.8)
        a0.set_yticks(y, [self.arms[a] for a in arms])
        self.axis(fig, a0, "x", self.s("npv"), self.money)
        self.axis(fig, a0, "y", self.s("arm"), None)
        self.legend_above(a0, 2)
        self.save(fig, "expost_npv", "expost", self.s("expost_npv"),
                  self.s("expost_npv_alt") % self.arms[self.ref])

    def expost_metrics(self):
        names = self.strings("/expost/observation")
        metric = self.strings("/expost/metric")
        data = self.data("/expost/data")                                      # [O][3]
        prior = self.data("/expost/prior_predictive")                         # [O][10]
        post = self.data("/expost/posterior_predictive")
        for name in dict.fromkeys(metric):
            obs = [o for o in range(len(metric)) if metric[o] == name]
            n = len(obs)
            fig, ax = self.figure(WIDTH, 1.6 + 0.4 * n)
            a0 = ax[0, 0]
            y = np.arange(n)[::-1]
            for off, v, c, key in ((0.17, prior, SKY, "ex_ante"), (-0.17, post, BLUE,
                                                                    "ex_post")):
                a0.hlines(y + off, v[obs, 2], v[obs, 6], color=c, linewidth=1.4)
                a0.hlines(y + off, v[obs, 3], v[obs, 5], color=c, linewidth=5,
                          label="%s, %s" % (self.s(key), self.s("interval50_90")))
            a0.plot(data[obs, 0], y, "D", color=VERMILLION, markersize=5,
                    label=self.s("observed"), zorder=3)
            a0.set_yticks(y, [names[o] for o in obs])
            words, units = METRICS.get(name, ((name, name), ("as observed",
                                                              "zoals waargenomen")))
            shown = words[self.nl]
            unit = units[self.nl] if units is not None else \
                self.s("money_year_unit") % (self.currency, self.price_year)
            self.axis(fig, a0, "x", shown, unit)
            self.axis(fig, a0, "y", self.s("observation"), None)
            self.legend_above(a0, 3)
            title = self.s("expost_metric") % shown
            self.save(fig, "expost_" + name, "expost", title,
                      self.s("expost_metric_alt") % shown, heading=title)

    def all(self):
        if self.has("/sa"):
            self.sa_setup()
            method = self.attr("/sa", "method")
            draw = {"tornado": self.tornado, "sobol": self.sobol, "morris": self.morris,
                    "believe": self.believe, "evppi": self.evppi, "sweep": self.sweep,
                    "threshold": self.threshold}.get(method)
            if draw is not None:
                draw()
            return
        for draw in (self.plane, self.ceac, self.cashflow, self.payers, self.budget,
                     self.ranking, self.services, self.expost):
            draw()


def whiskers(value, lo, hi):
    """Error bar lengths below and above value from an interval [lo, hi]
    (an interval that does not hold its mean gives a bar of 0 on that side;
    NaN: none)."""
    value, lo, hi = (np.asarray(v, dtype=float) for v in (value, lo, hi))
    return [np.nan_to_num(np.maximum(value - lo, 0)), np.nan_to_num(np.maximum(hi - value, 0))]


def safe(name):
    """A file name for a chart id that may hold arm names."""
    out = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in name)
    return out[:60] or "chart"


def main():
    ap = argparse.ArgumentParser(description="the charts of mkba report")
    ap.add_argument("result")
    ap.add_argument("outdir")
    ap.add_argument("--lang", choices=("en", "nl"), default="en")
    ap.add_argument("--budget-arm", type=int, default=None)
    ap.add_argument("--municipality", type=int, default=None)
    args = ap.parse_args()
    plt.rcParams.update({
        # A generic family after the fonts, so a browser without DejaVu Sans
        # (Windows, macOS) shows a sans-serif one; strings from the file are
        # text, never mathtext ("US$ per $" stays as written).
        "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
        "text.parse_math": False, "font.size": 9, "axes.titlesize": 10,
        "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8,
        "legend.fontsize": 8, "svg.fonttype": "none", "svg.hashsalt": "mkba",
        "axes.unicode_minus": True,
    })
    try:
        p = Plots(args.result, args.outdir, args.lang == "nl", args.budget_arm,
                  args.municipality)
        p.all()
    except (OSError, KeyError, ValueError, IndexError, RuntimeError) as exc:
        sys.stderr.write("mkba_plots: %s: %s\n" % (args.result, exc))
        return 1
    tmp = os.path.join(args.outdir, "manifest.json.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(p.manifest, out, ensure_ascii=False, indent=1)
    os.rename(tmp, os.path.join(args.outdir, "manifest.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
