package io.stagewise.distributed;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device a Spark task trains on: the GPU Spark assigned it ({@code spark.task.resource.gpu.amount=1}, the
 * address coming from the executor's discovery script), or the CPU when the task holds no GPU.
 */
final class TaskDevice {

  static final String GPU = "gpu";

  private TaskDevice() {
  }

  static Device of(TaskContext task) {
    return of(task.resourcesJMap());
  }

  static Device of(Map<String, ResourceInformation> resources) {
    ResourceInformation gpus = resources.get(GPU);
    if (gpus == null || gpus.addresses().length == 0) {
      return Device.cpu();
    }
    if (gpus.addresses().length > 1) {
      throw new IllegalStateException("a training task must hold one GPU, this one holds "
          + String.join(",", gpus.addresses()) + "; set spark.task.resource.gpu.amount=1");
    }
    String address = gpus.addresses()[0].trim();
    try {
      return Device.gpu(Integer.parseInt(address));
    } catch (NumberFormatException e) {
      throw new IllegalStateException("GPU address '" + address + "' is not a device index; the GPU"
          + " discovery script must report CUDA ordinals", e);
    }
  }
}
