-- Macros the models share, created for the run's session (DuckDB-specific: a second engine
-- would define them as functions). Wilson score 95% interval of a rate x / n
-- (NULL when n is 0).
CREATE OR REPLACE TEMP MACRO wilson_low(x, n) AS
    CASE WHEN n > 0 THEN
    ((x / n + 1.959963984540054 ^ 2 / (2 * n))
        - 1.959963984540054 * sqrt(x / n * (1 - x / n) / n + 1.959963984540054 ^ 2 / (4 * n * n)))
    / (1 + 1.959963984540054 ^ 2 / n) END;

CREATE OR REPLACE TEMP MACRO wilson_high(x, n) AS
    CASE WHEN n > 0 THEN
    ((x / n + 1.959963984540054 ^ 2 / (2 * n))
        + 1.959963984540054 * sqrt(x / n * (1 - x / n) / n + 1.959963984540054 ^ 2 / (4 * n * n)))
    / (1 + 1.959963984540054 ^ 2 / n) END;
