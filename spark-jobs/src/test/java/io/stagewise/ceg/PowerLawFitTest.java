package io.stagewise.ceg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PowerLawFitTest {

  @Test
  void recoversTheLawItWasSampledFrom() {
    Curves.Law law = new Curves.Law(1.7, 40, 0.28);
    LossCurve curve = Curves.sampled(law, 1e9, Math.pow(10, 0.25), 20, 1);
    PowerLawFit fit = PowerLawFit.fit(curve.coordinates(Axis.FLOPS), curve.losses());
    assertEquals(1.7, fit.e(), 1e-3);
    assertEquals(0.28, fit.alpha(), 1e-3);
    assertEquals(law.compute(1.75), fit.reach(1.75), 0.01 * law.compute(1.75));
    assertTrue(fit.rmse() < 1e-4, fit.toString());
  }

  @Test
  void isDeterministicAndRefusesTooFewPoints() {
    double[] x = {1e3, 1e4, 1e5, 1e6};
    double[] l = {5.1, 3.9, 3.2, 2.95};
    assertEquals(PowerLawFit.fit(x, l), PowerLawFit.fit(x, l));
    assertNull(PowerLawFit.fit(new double[] {1, 2}, new double[] {2, 1}));
  }

  @Test
  void aLossAtOrBelowTheAsymptoteIsNeverReached() {
    PowerLawFit fit = new PowerLawFit(2, 10, 0.5, 0, 5);
    assertTrue(Double.isNaN(fit.reach(2)));
    assertTrue(Double.isNaN(fit.reach(1.5)));
    assertEquals(100, fit.reach(3), 1e-9);
  }
}
