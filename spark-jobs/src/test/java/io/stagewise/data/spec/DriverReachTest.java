package io.stagewise.data.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class DriverReachTest {
  @Test
  void aLocalPathOnAClusterDriverGetsTheAdvice() {
    assertTrue(DriverReach.hint(new Path("../shared/data/x.json"), "cluster").contains("--files"));
    assertTrue(DriverReach.hint(new Path("file:///data/x.json"), "cluster").contains("hdfs://"));
  }

  @Test
  void clusterPathsAndLocalDriversGetNone() {
    assertEquals("", DriverReach.hint(new Path("hdfs:///data/x.json"), "cluster"));
    assertEquals("", DriverReach.hint(new Path("../shared/data/x.json"), "client"));
    assertEquals("", DriverReach.hint(new Path("../shared/data/x.json"), null));
  }

  @Test
  void aMissingSpecIsAUserErrorNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> YamlSpecs.read(new Configuration(), "/no/such/spec.yaml"));
    assertTrue(e.getMessage().contains("/no/such/spec.yaml"), e.getMessage());
  }

  @Test
  void aSpecNamedWithoutASchemeIsReadBesideTheProcessWhateverTheDefaultFileSystem() throws Exception {
    // A cluster driver's fs.defaultFS is the cluster's; the spec shipped with --files is in its working directory.
    java.nio.file.Path dir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "driver-reach"));
    java.nio.file.Files.writeString(dir.resolve("run.yaml"), "name: shipped\n");
    Configuration cluster = new Configuration();
    cluster.set("fs.defaultFS", "nosuchfs://cluster/");
    assertEquals("shipped", YamlSpecs.read(cluster, "target/driver-reach/run.yaml").get("name").asText());
  }
}
