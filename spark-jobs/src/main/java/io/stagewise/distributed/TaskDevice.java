package io.stagewise.distributed;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device a Spark task trains on: the GPU Spark assigned it ({@code spark.task.resource.gpu.amount=1}, the
 * address coming from the executor's discovery script), or the CPU when the task holds no GPU.
 *
 * <p>The contract between the discovery script and this class: a GPU address is what the executor's
 * {@code CUDA_VISIBLE_DEVICES} lists (a physical index or a {@code GPU-…} UUID) when that variable is set,
 * and the physical index otherwise. CUDA numbers the devices a process can see 0, 1, … in the order
 * {@code CUDA_VISIBLE_DEVICES} lists them, so the in-process ordinal is the address's position in that list,
 * not the address itself: with {@code CUDA_VISIBLE_DEVICES=2,3} address "3" is device 1. Without the variable
 * every GPU is visible and the ordinal is the physical index (executors set
 * {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} so CUDA's order is {@code nvidia-smi}'s).
 */
public final class TaskDevice {

  static final String GPU = "gpu";
  static final String VISIBLE = "CUDA_VISIBLE_DEVICES";

  private TaskDevice() {
  }

  /** The device of the task running on this thread, or null (the engine's default) outside a Spark task. */
  public static Device ofCurrentTask() {
    TaskContext task = TaskContext.get();
    return task == null ? null : of(task);
  }

  static Device of(TaskContext task) {
    Device device = of(task.resourcesJMap(), System.getenv(VISIBLE));
    if (device.isGpu()) {
      String address = task.resourcesJMap().get(GPU).addresses()[0].trim();
      // On stderr, in the executor's log: which GPU each task used is the first question when a cluster run
      // is slow or fails, and the tests read it there.
      System.err.printf("stagewise: task %d of stage %d holds GPU address '%s' (CUDA device %d)%n",
          task.partitionId(), task.stageId(), address, device.getDeviceId());
      requireEngineSees(address, device.getDeviceId(), Engine.getInstance().getGpuCount());
    }
    return device;
  }

  /** A GPU the engine cannot see fails here, clearly, instead of deep inside the first tensor operation. */
  static void requireEngineSees(String address, int ordinal, int engineGpus) {
    if (ordinal >= engineGpus) {
      throw new IllegalStateException("this task holds GPU address '" + address + "' (CUDA device " + ordinal
          + ") but the engine sees " + engineGpus + " GPU(s): a cpu build (spark.stagewise.buildProfile=cpu)"
          + " cannot train on a GPU; build with -Pcuda (see docs/cluster.md)");
    }
  }

  static Device of(Map<String, ResourceInformation> resources, String visibleDevices) {
    ResourceInformation gpus = resources.get(GPU);
    if (gpus == null || gpus.addresses().length == 0) {
      return Device.cpu();
    }
    if (gpus.addresses().length > 1) {
      throw new IllegalStateException("a training task must hold one GPU, this one holds "
          + String.join(",", gpus.addresses()) + "; set spark.task.resource.gpu.amount=1");
    }
    return Device.gpu(ordinal(gpus.addresses()[0].trim(), visibleDevices));
  }

  /** The CUDA ordinal, inside this process, of the GPU Spark calls {@code address}. */
  static int ordinal(String address, String visibleDevices) {
    if (visibleDevices != null && !visibleDevices.isBlank()) {
      List<String> visible = Arrays.stream(visibleDevices.split(",")).map(String::trim).toList();
      int position = visible.indexOf(address);
      if (position < 0) {
        throw new IllegalStateException("GPU address '" + address + "' is not among this executor's "
            + VISIBLE + "=" + visibleDevices + "; the discovery script must report the entries of "
            + VISIBLE + " (see docs/cluster.md)");
      }
      return position;
    }
    try {
      return Integer.parseInt(address);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("GPU address '" + address + "' is not a device index and " + VISIBLE
          + " is not set to map it to one; the discovery script must report physical indices"
          + " (see docs/cluster.md)", e);
    }
  }
}
