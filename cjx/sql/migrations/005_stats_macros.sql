-- Interval formulas as macros, so marts and the data team use one definition (z = 1.96 for 95%).
-- Wilson score interval for a proportion k/n (Wilson 1927).
CREATE OR REPLACE MACRO core.wilson_low(k, n) AS
    CASE WHEN n > 0 THEN
        ((k / n) + 1.959963984540054 ^ 2 / (2 * n)
         - 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n + 1.959963984540054 ^ 2 / (4 * n * n)))
        / (1 + 1.959963984540054 ^ 2 / n)
    END;
CREATE OR REPLACE MACRO core.wilson_high(k, n) AS
    CASE WHEN n > 0 THEN
        ((k / n) + 1.959963984540054 ^ 2 / (2 * n)
         + 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n + 1.959963984540054 ^ 2 / (4 * n * n)))
        / (1 + 1.959963984540054 ^ 2 / n)
    END;
-- Standard error of NPS on the -100..100 scale from promoter and detractor shares (Rocks 2016).
CREATE OR REPLACE MACRO core.nps_se(p_promoters, p_detractors, n) AS
    CASE WHEN n > 0 THEN
        100 * sqrt(greatest(((p_promoters + p_detractors) - (p_promoters - p_detractors) ^ 2) / n, 0))
    END;
