package io.stagewise.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The written shared object loads in this JVM and each of its functions returns 1. */
class ConstantFunctionsElfTest {

  @Test
  void theDynamicLoaderLoadsItAndEveryFunctionReturnsOne(@TempDir Path dir) throws Exception {
    assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
        "an x86-64 ELF object loads only on x86-64 Linux");
    Path file = dir.resolve("libconstant-test.so");
    Files.write(file, ConstantFunctionsElf.returningOne("libconstant-test.so",
        List.of("stagewise_test_first", "stagewise_test_second", "stagewise_test_third")));
    NativeLibrary library = NativeLibrary.getInstance(file.toString());
    for (String name : List.of("stagewise_test_first", "stagewise_test_second", "stagewise_test_third")) {
      assertEquals(1, library.getFunction(name).invokeInt(new Object[0]), name);
    }
    assertThrows(UnsatisfiedLinkError.class, () -> library.getFunction("stagewise_test_fourth"));
  }
}
