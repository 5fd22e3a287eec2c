/* The words of the HTML report in English and Dutch, listed once. Dutch
 * uses the MKBA terms of the Werkwijzer (nulalternatief, kosten, baten,
 * saldo, contante waarde, PM-posten). */
#ifndef MKBA_REPORT_HTML_STRINGS_H
#define MKBA_REPORT_HTML_STRINGS_H

#define MKBA_HTML_STRINGS(X) \
    X(TITLE, "Social cost-benefit analysis", "Maatschappelijke kosten-batenanalyse") \
    X(UNIT_NOTE, "Every amount is per household of the closed starting cohort, present value at the start, in constant %s prices of %d.", \
      "Alle bedragen per huishouden van het gesloten startcohort, contante waarde bij de start, in constante prijzen (%s) van %d.") \
    X(ANSWER, "The answer", "Het antwoord") \
    X(CHOOSE, "Choose %s.", "Kies %s.") \
    X(KEEP, "Keep %s (the reference): no arm has a higher mean net present value for society.", \
      "Kies %s (het nulalternatief): geen alternatief heeft een hoger gemiddeld maatschappelijk saldo.") \
    X(KEEP_NULALTERNATIEF, "Keep the nulalternatief (the reference): no arm has a higher mean net present value for society.", \
      "Kies het nulalternatief: geen alternatief heeft een hoger gemiddeld maatschappelijk saldo.") \
    X(ALTERNATIVE, "The best alternative is %s.", "Het beste alternatief is %s.") \
    X(NPV_SENTENCE, "Its net present value for society is %s per household against %s (95%% interval %s to %s).", \
      "Het maatschappelijk saldo (contante waarde) is %s per huishouden ten opzichte van %s (95%%-interval %s tot %s).") \
    X(NPV_POINT_SENTENCE, "Its net present value for society is %s per household against %s (one draw: no interval).", \
      "Het maatschappelijk saldo (contante waarde) is %s per huishouden ten opzichte van %s (een trekking: geen interval).") \
    X(SURE_SENTENCE, "It is the best arm in %s of the draws and pays off for society in %s of them.", \
      "Het is het beste alternatief in %s van de trekkingen en levert de samenleving in %s ervan per saldo op.") \
    X(SURE_BEST_SENTENCE, "It is the best arm in %s of the draws.", \
      "Het is het beste alternatief in %s van de trekkingen.") \
    X(BASE_CASE, "Base case only: no uncertainty analysis.", \
      "Alleen het basisscenario: geen onzekerheidsanalyse.") \
    X(BREAKEVEN_SENTENCE, "For the municipality it breaks even (discounted) in year %s, when %s of the draws have broken even; %s do not within the %s-year horizon.", \
      "Voor de gemeente verdient het zich terug (verdisconteerd) in jaar %s, als %s van de trekkingen zich heeft terugverdiend; %s niet binnen de horizon van %s jaar.") \
    X(NEVER_SENTENCE, "For the municipality it does not break even (discounted) within the %s-year horizon in %s of the draws.", \
      "Voor de gemeente verdient het zich niet terug (verdisconteerd) binnen de horizon van %s jaar in %s van de trekkingen.") \
    X(BREAKEVEN_POINT, "For the municipality it breaks even (discounted) in year %s.", \
      "Voor de gemeente verdient het zich terug (verdisconteerd) in jaar %s.") \
    X(NEVER_POINT, "For the municipality it does not break even (discounted) within the %s-year horizon.", \
      "Voor de gemeente verdient het zich niet terug (verdisconteerd) binnen de horizon van %s jaar.") \
    X(NO_MUNICIPAL, "The scenario has no municipal payer: no break-even for the municipality.", \
      "Het scenario heeft geen gemeentelijke betaler: geen terugverdientijd voor de gemeente.") \
    X(SPLIT_PART, "This file holds %zu of the run's %ld draws (part of a split run): the numbers are of these draws only.", \
      "Dit bestand bevat %zu van de %ld trekkingen van de run (deel van een gesplitste run): de getallen gaan alleen over deze trekkingen.") \
    X(POINTS, "%zu points of a design (explicit values), all on the random numbers of draw %s: intervals and shares are over the points, not a PSA.", \
      "%zu punten van een ontwerp (opgegeven waarden), alle met de toevalsgetallen van trekking %s: intervallen en aandelen gaan over de punten, niet over een PSA.") \
    X(GAINS_SENTENCE, "Who gains: %s.", "Wie wint: %s.") \
    X(PAYS_SENTENCE, "Who pays: %s.", "Wie betaalt: %s.") \
    X(NOBODY, "nobody", "niemand") \
    X(ARM, "arm", "alternatief") \
    X(REFERENCE, "reference (nulalternatief)", "nulalternatief") \
    X(NPV_SOCIETY, "NPV society", "saldo samenleving") \
    X(INTERVAL, "95% interval", "95%-interval") \
    X(P_BEST, "P(best)", "kans beste") \
    X(P_POSITIVE, "P(NPV > 0)", "kans saldo > 0") \
    X(BE_MUNI, "break-even year, municipality (discounted)", "terugverdienjaar gemeente (verdisconteerd)") \
    X(BCR, "benefit-cost ratio", "baten-kostenverhouding") \
    X(NEVER, "not within horizon", "niet binnen horizon") \
    X(PLANE, "Cost-effectiveness plane", "Kosteneffectiviteitsvlak") \
    X(PLANE_NOTE, "Each point is one draw: the arm minus %s, the cost net of the monetary effects such as production. Larger points: the means.", \
      "Elk punt is een trekking: het alternatief min %s, de kosten na aftrek van de monetaire effecten zoals productie. Grote punten: de gemiddelden.") \
    X(MONEY_ONLY, "The arms are compared on money alone (no primary effect): the plane, acceptability curve and frontier do not apply.", \
      "De alternatieven worden alleen in geld vergeleken (geen primair effect): vlak, aanvaardbaarheidscurve en frontier vervallen.") \
    X(CEAC, "Acceptability curve", "Aanvaardbaarheidscurve") \
    X(CEAC_NOTE, "Share of draws in which each arm has the highest net monetary benefit, the willingness to pay times the effect less the net cost: society's cost less the monetary effects such as production, so at 0 the curve gives the answer's probability best. The marks show the arm with the highest mean (the acceptability frontier).", \
      "Aandeel trekkingen waarin elk alternatief de hoogste netto monetaire baat heeft, de betalingsbereidheid maal het effect min de nettokosten: de kosten voor de samenleving min de monetaire effecten zoals productie, zodat de curve bij 0 de kans van het antwoord geeft. De markeringen tonen het alternatief met het hoogste gemiddelde (de aanvaardbaarheidsgrens).") \
    X(NO_CEAC, "The scenario has fewer than two willingness-to-pay values: no acceptability curve or frontier.", \
      "Het scenario heeft minder dan twee waarden voor de betalingsbereidheid: geen aanvaardbaarheidscurve of efficiëntiegrens.") \
    X(ONE_ARM, "The scenario has one arm: there is nothing to compare it with.", \
      "Het scenario heeft één alternatief: er is niets om het mee te vergelijken.") \
    X(MANY_ARMS, "More than 60 arms: too many for a chart; the ranking is in the tables below.", \
      "Meer dan 60 alternatieven: te veel voor een grafiek; de rangorde staat in de tabellen hieronder.") \
    X(FRONTIER, "Efficiency frontier", "Efficiëntiegrens") \
    X(FRONTIER_NOTE, "Mean net cost for society (its cost less the monetary effects such as production) against the mean effect; the line joins the arms not dominated.", \
      "Gemiddelde nettokosten voor de samenleving (de kosten min de monetaire effecten zoals productie) tegen het gemiddelde effect; de lijn verbindt de niet-gedomineerde alternatieven.") \
    X(CASHFLOW, "Cumulative net benefit and break-even per perspective", "Cumulatief saldo en terugverdientijd per perspectief") \
    X(CASHFLOW_NOTE, "Left: the cumulative discounted net benefit against %s, mean and 90%% band of the draws. Right: the share of draws that has broken even by each year.", \
      "Links: het cumulatieve contante saldo ten opzichte van %s, gemiddelde en 90%%-band van de trekkingen. Rechts: het aandeel trekkingen dat in elk jaar is terugverdiend.") \
    X(NO_BAND, "The file holds no per-draw cash flows (a part of a split run): means only.", \
      "Het bestand bevat geen kasstromen per trekking (deel van een gesplitste run): alleen gemiddelden.") \
    X(ONE_DRAW_BAND, "One draw: the charts show it alone, without a band.", \
      "Eén trekking: de grafieken tonen die alleen, zonder band.") \
    X(CALIBRATED, "Arm %s is tuned to reproduce %s; agreement with it is therefore not evidence.", \
      "Alternatief %s is afgesteld om %s te reproduceren; overeenstemming daarmee is dus geen bewijs.") \
    X(BLENDED, "Arm %s is blended: in each draw the share-weighted sum of its parts' results, so the parts' fixed and one-off costs (investment, overheads, the teams' staff) count at the share; a cost the mix pays once in full is understated by (1 - share) of it and must be added by hand.", \
      "Alternatief %s is gemengd: per trekking de naar aandeel gewogen som van de resultaten van zijn delen, dus tellen de vaste en eenmalige kosten van de delen (investering, overhead, de formatie van de teams) naar aandeel mee; een kostenpost die de mix eenmaal volledig betaalt, is (1 - aandeel) ervan te laag en moet met de hand worden opgeteld.") \
    X(YEAR, "year", "jaar") \
    X(PAYERS, "Who pays and who gains", "Wie betaalt en wie wint") \
    X(PAYERS_NOTE, "Per payer against %s: what it pays (a net cost over the horizon, left) and gains (a net gain, right), present values, not the project costs; the dot and line: the net position, mean and 95%% interval.", \
      "Per betaler ten opzichte van %s: wat hij betaalt (netto kosten over de looptijd, links) en wint (netto baten, rechts), contante waarden, niet de projectkosten; punt en lijn: het saldo, gemiddelde en 95%%-interval.") \
    X(BUDGET, "Municipal budget per year", "Gemeentebegroting per jaar") \
    X(BUDGET_NOTE, "%s against %s: the yearly net effect on each municipal budget, undiscounted (cash in the year's prices of %d), mean over the draws; above 0 a saving, below 0 a cost. The line: the municipality as a whole.", \
      "%s ten opzichte van %s: het jaarlijkse netto effect op elke gemeentelijke begroting, niet verdisconteerd (kasstroom in prijzen van %d), gemiddelde over de trekkingen; boven 0 een besparing, onder 0 kosten. De lijn: de gemeente als geheel.") \
    X(GROUPS, "For whom", "Voor wie") \
    X(GROUPS_NOTE, "%s against %s per group of households by their starting state (in %s): net present value for society per household of the group, mean and 95%% interval over the draws. Severity: the highest severity of a problem (light, medium, heavy); domains: how many domains have a problem. Take-up benefits and the savings of care the teams give themselves count for the households they belong to. Costs that cannot be traced to a household are allocated by use: each team's staff, intakes and hand-overs by the group's share of the household-cycles in that team's care, the programme, investment, scans, visits and informal care by its share of those in all the teams' care (of the households when nobody is ever in care); the column 'of which allocated by use' is their part of the net present value. Against the average household: the group's net present value less the whole population's per household in the same draw; its mean is the group's mean less the population's (so it subtracts as shown; with few draws, or shares that move with the value, it can lie outside the interval), its 95%% interval that of the draws' differences, and the share of the draws in which the group gains more than the average household.", \
      "%s ten opzichte van %s per groep huishoudens naar hun beginsituatie (in %s): maatschappelijk saldo per huishouden van de groep, gemiddelde en 95%%-interval over de trekkingen. Zwaarte: het zwaarste probleem (licht, middelzwaar, zwaar); domeinen: op hoeveel domeinen een probleem speelt. De uitkeringen die de teams laten aanvragen en de besparing op zorg die zij zelf geven tellen bij de huishoudens waar ze horen. Kosten die niet aan een huishouden toe te rekenen zijn, zijn verdeeld naar gebruik: die van elk team (personeel, intakes, overdrachten) naar het aandeel van de groep in de huishouden-cycli in zorg bij dat team, programma, investering, scans, bezoeken en mantelzorg naar het aandeel in zorg bij alle teams (naar het aandeel huishoudens als nooit iemand in zorg is); de kolom 'waarvan verdeeld naar gebruik' is hun deel van het saldo. Ten opzichte van het gemiddelde huishouden: het saldo van de groep min dat van de hele populatie per huishouden in dezelfde trekking; het gemiddelde is dat van de groep min dat van de populatie (zo klopt het verschil zoals getoond; met weinig trekkingen, of aandelen die met het saldo meebewegen, kan het buiten het interval vallen), het 95%%-interval dat van de verschillen per trekking, en het aandeel van de trekkingen waarin de groep er meer op vooruitgaat dan het gemiddelde huishouden.") \
    X(GROUPS_NOTE_FLAT, "%s against %s per group of households by their starting state (in %s): net present value for society per household of the group, mean and 95%% interval over the draws. Severity: the highest severity of a problem (light, medium, heavy); domains: how many domains have a problem. This file was written before the booking per household: every service cost, take-up benefit and substitution saving is at the draw's average per household. Against the average household: the group's net present value less the whole population's per household in the same draw; its mean is the group's mean less the population's (so it subtracts as shown; with few draws, or shares that move with the value, it can lie outside the interval), its 95%% interval that of the draws' differences, and the share of the draws in which the group gains more than the average household.", \
      "%s ten opzichte van %s per groep huishoudens naar hun beginsituatie (in %s): maatschappelijk saldo per huishouden van de groep, gemiddelde en 95%%-interval over de trekkingen. Zwaarte: het zwaarste probleem (licht, middelzwaar, zwaar); domeinen: op hoeveel domeinen een probleem speelt. Dit bestand is geschreven voor de boeking per huishouden: alle kosten van de dienstverlening, uitkeringen en besparingen op zorg staan op het gemiddelde van de trekking per huishouden. Ten opzichte van het gemiddelde huishouden: het saldo van de groep min dat van de hele populatie per huishouden in dezelfde trekking; het gemiddelde is dat van de groep min dat van de populatie (zo klopt het verschil zoals getoond; met weinig trekkingen, of aandelen die met het saldo meebewegen, kan het buiten het interval vallen), het 95%%-interval dat van de verschillen per trekking, en het aandeel van de trekkingen waarin de groep er meer op vooruitgaat dan het gemiddelde huishouden.") \
    X(GROUPS_TEAMS, "of which allocated by use", "waarvan verdeeld naar gebruik") \
    X(GROUPS_VS_ALL, "less the average household", "min het gemiddelde huishouden") \
    X(GROUPS_P_ABOVE, "P(above average)", "kans boven gemiddelde") \
    X(NO_GROUPS, "The file has no results per group of households (written before they existed, or in cohort mode).", \
      "Het bestand heeft geen resultaten per groep huishoudens (geschreven voordat die er waren, of in cohortmodus).") \
    X(GROUP, "group", "groep") \
    X(SHARE, "share", "aandeel") \
    X(RANKING, "Ranking of the arms", "Rangorde van de alternatieven") \
    X(RANKING_NOTE, "Share of draws in which each arm has each rank by the net present value for society (rank 1: the highest).", \
      "Aandeel trekkingen waarin elk alternatief elke rang heeft op het maatschappelijk saldo (rang 1: het hoogste).") \
    X(SERVICES, "Services over time", "Dienstverlening in de tijd") \
    X(SERVICES_NOTE, "Per starting household (FTE: for the scenario's population), mean and 90% band of the draws.", \
      "Per starthuishouden (fte: voor de populatie van het scenario), gemiddelde en 90%-band van de trekkingen.") \
    X(NO_SERVICES, "This scenario has no services (teams, queues): no reach, waiting or FTE outputs, escalations only.", \
      "Dit scenario heeft geen dienstverlening (teams, wachtrijen): geen bereik, wachttijd of fte, alleen escalaties.") \
    X(SENSITIVITY, "Sensitivity", "Gevoeligheid") \
    X(TORNADO_NOTE, "Each factor at its low (light) and high (dark) value, the others at base.", \
      "Elke factor op zijn lage (licht) en hoge (donker) waarde, de andere op de basiswaarde.") \
    X(SOBOL_NOTE, "Share of the outcome's variance explained by each factor alone (S1) and with its interactions (ST), bootstrap 95% intervals.", \
      "Aandeel van de variantie van de uitkomst dat elke factor alleen (S1) en met interacties (ST) verklaart, bootstrap 95%-intervallen.") \
    X(NO_SA, "This file holds no sensitivity analysis; mkba sa writes one.", \
      "Dit bestand bevat geen gevoeligheidsanalyse; mkba sa maakt die.") \
    X(MUNICIPALITY, "municipality", "gemeente") \
    X(EXPOST, "Ex ante versus realised", "Ex ante versus gerealiseerd") \
    X(NO_EXPOST, "This file holds no ex-post results.", "Dit bestand bevat geen ex-post-resultaten.") \
    X(EXPOST_PRESENT, "This file holds ex-post results (/expost): the net present value before and after the observed data, and each observation against what was predicted; their tables: mkba summary.", \
      "Dit bestand bevat ex-post-resultaten (/expost): het saldo voor en na de waargenomen gegevens, en elke waarneming tegen de voorspelling; de tabellen: mkba summary.") \
    X(ASSUMPTIONS, "Key assumptions", "Belangrijkste aannames") \
    X(DISCOUNT, "discount rate costs / effects", "discontovoet kosten / effecten") \
    X(PRICE_YEAR, "price year", "prijspeil") \
    X(HORIZON, "horizon", "horizon") \
    X(YEARS_CYCLES, "%s years in cycles of %s years", "%s jaar in perioden van %s jaar") \
    X(HOUSEHOLDS, "households per draw", "huishoudens per trekking") \
    X(COHORT_MODE, "expected values (cohort)", "verwachte waarden (cohort)") \
    X(DRAWS, "PSA draws", "PSA-trekkingen") \
    X(SEED, "seed", "seed") \
    X(VERSION, "mkba version", "mkba-versie") \
    X(SCENARIO, "scenario", "scenario") \
    X(OPTIMISM, "optimism bias / deadweight", "optimism bias / deadweight") \
    X(PM_ITEMS, "PM items (not monetised)", "PM-posten (niet in geld uitgedrukt)") \
    X(NONE, "none", "geen") \
    X(TABLES, "All tables", "Alle tabellen") \
    X(TABLES_NOTE, "The tables of mkba summary, the same numbers.", "De tabellen van mkba summary, dezelfde getallen (titels en kolommen in het Engels).") \
    X(SA_FILE, "Sensitivity analysis", "Gevoeligheidsanalyse") \
    X(NO_SA_CHART, "This analysis has no chart: its results are in the tables below.", \
      "Deze analyse heeft geen grafiek: de resultaten staan in de tabellen hieronder.")

#define MKBA_HTML_ENUM(id, en, nl) HS_##id,
typedef enum mkba_html_string { MKBA_HTML_STRINGS(MKBA_HTML_ENUM) HS_N } mkba_html_string;
#undef MKBA_HTML_ENUM

#endif
