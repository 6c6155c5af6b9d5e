package io.stagewise.trainer.engine;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.engine.EngineProvider;

/**
 * Not an engine: the one hook that runs in every JVM before libtorch is loaded. DJL's {@code Engine} class
 * instantiates every {@link EngineProvider} on its class path when it is first used and loads an engine's
 * natives only later, when that engine is asked for; this provider's constructor applies
 * {@link MklAvx512OnAmd} in between. Registered in {@code META-INF/services/ai.djl.engine.EngineProvider}.
 *
 * <p>It ranks last, so DJL never picks it as the default engine, and asking for it by name is an error.
 */
public final class MklDispatchEngineProvider implements EngineProvider {

  static final String NAME = "StagewiseMklDispatch";

  /** Applies the MKL override before any engine loads. */
  public MklDispatchEngineProvider() {
    MklAvx512OnAmd.applyOnce();
  }

  @Override
  public String getEngineName() {
    return NAME;
  }

  @Override
  public int getEngineRank() {
    return Integer.MAX_VALUE;
  }

  @Override
  public Engine getEngine() {
    throw new EngineException(NAME + " only prepares libtorch's MKL before PyTorch loads; it is not an engine");
  }
}
