package io.stagewise.cli;

import ai.djl.engine.Engine;
import ai.djl.util.Utils;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code stagewise natives}: makes DJL extract this build's native libraries (libtorch and its JNI layer,
 * the tokenizer's library) into its cache, {@code DJL_CACHE_DIR}, and prints that folder.
 * {@code deploy/yarn/pack-natives.sh} archives it for YARN's {@code --archives}: containers then point
 * {@code DJL_CACHE_DIR} at the unpacked archive, which YARN localises once per node, and no task extracts.
 */
@Command(
    name = "natives",
    mixinStandardHelpOptions = true,
    description = "Extract this build's native libraries (libtorch, the tokenizer's) into DJL_CACHE_DIR and print"
        + " that folder (deploy/yarn/pack-natives.sh archives it for YARN).")
public final class NativesCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    // Loading is what extracts: DJL copies a library out of its jar the first time it loads it.
    Engine engine = Engine.getEngine("PyTorch");
    ai.djl.huggingface.tokenizers.jni.LibUtils.checkStatus();
    System.err.println("stagewise: " + engine.getEngineName() + " " + engine.getVersion() + " natives in");
    System.out.println(Utils.getCacheDir().toAbsolutePath());
    return 0;
  }
}
