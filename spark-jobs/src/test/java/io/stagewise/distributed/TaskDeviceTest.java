package io.stagewise.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class TaskDeviceTest {

  private static Map<String, ResourceInformation> gpus(String... addresses) {
    return Map.of(TaskDevice.GPU, new ResourceInformation(TaskDevice.GPU, addresses));
  }

  @Test
  void aTaskWithoutAGpuTrainsOnTheCpu() {
    assertEquals(Device.cpu(), TaskDevice.of(Map.of(), "0,1"));
    assertEquals(Device.cpu(), TaskDevice.of(gpus(), null));
  }

  @Test
  void withoutVisibleDevicesTheAddressIsThePhysicalIndex() {
    assertEquals(Device.gpu(3), TaskDevice.of(gpus("3"), null));
    assertEquals(Device.gpu(1), TaskDevice.of(gpus(" 1 "), ""));
  }

  @Test
  void withVisibleDevicesTheOrdinalIsThePositionInTheList() {
    assertEquals(Device.gpu(1), TaskDevice.of(gpus("3"), "2,3"));
    assertEquals(Device.gpu(0), TaskDevice.of(gpus("2"), "2, 3"));
    assertEquals(Device.gpu(1), TaskDevice.of(gpus("GPU-bbbb"), "GPU-aaaa,GPU-bbbb"));
  }

  @Test
  void anAddressTheProcessCannotSeeIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TaskDevice.of(gpus("5"), "2,3"));
    assertTrue(e.getMessage().contains("'5'") && e.getMessage().contains("CUDA_VISIBLE_DEVICES=2,3"),
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> TaskDevice.of(gpus("GPU-aaaa"), null));
  }

  @Test
  void aTaskHoldingTwoGpusIsRefused() {
    assertThrows(IllegalStateException.class, () -> TaskDevice.of(gpus("0", "1"), null));
  }

  @Test
  void aGpuTheEngineCannotSeeIsAnErrorNamingTheBuildProfile() {
    TaskDevice.requireEngineSees("1", 1, 2);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TaskDevice.requireEngineSees("1", 0, 0));
    assertTrue(e.getMessage().startsWith("this task holds GPU address '1' (CUDA device 0) but the engine sees 0"
        + " GPU(s): a cpu build"), e.getMessage());
  }
}
