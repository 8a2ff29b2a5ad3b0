package dev.prune4j.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErfTest {
    @Test
    void erfMatchesTabulatedValues() {
        // Values from Abramowitz & Stegun, table 7.1, and erf(3) = 1 - erfc(3) with erfc(3) = 2.209049699858544e-5.
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-14);
        assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-14);
        assertEquals(0.9953222650189527, Erf.erf(2.0), 1e-14);
        assertEquals(1 - 2.209049699858544e-5, Erf.erf(3.0), 1e-13);
        assertEquals(1 - 1.541725790028002e-8, Erf.erf(4.0), 1e-13);
        assertEquals(-0.8427007929497149, Erf.erf(-1.0), 1e-14);
        assertEquals(1.0, Erf.erf(40.0));
    }

    @Test
    void seriesAndContinuedFractionAgreeWhereTheyMeet() {
        assertEquals(Erf.erf(Math.nextDown(3.0)), Erf.erf(Math.nextUp(3.0)), 1e-13);
    }

    @Test
    void tableInterpolationStaysWithin1e10OfTheDirectValue() {
        for (double x = -7; x <= 7; x += 0.000731) {
            assertEquals(Erf.erf(x), Erf.erfFast(x), 1e-10, "x = " + x);
        }
    }

    @Test
    void geluIsTheExactErfForm() {
        assertEquals(0f, Erf.gelu(0f));
        assertEquals((float) (0.5 * (1 + 0.6826894921370859)), Erf.gelu(1f), 1e-7f); // erf(1/sqrt 2)
        assertEquals((float) (-0.5 * (1 - 0.6826894921370859)), Erf.gelu(-1f), 1e-7f);
        assertEquals(10f, Erf.gelu(10f));
        assertEquals(-0f, Erf.gelu(-10f), 0f);
    }
}
