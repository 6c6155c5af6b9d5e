package io.stagewise.trainer.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.stagewise.trainer.model.GptModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** A model's parameters as host tensors by name, and back. */
final class ParameterTensors {

  private ParameterTensors() {
  }

  /** Every parameter of {@code model}, copied to the host, in declaration order. */
  static Map<String, HostTensor> of(GptModel model) {
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      NDArray array = p.getValue().getArray();
      tensors.put(p.getKey(), new HostTensor(array.getShape().getShape(), array.toFloatArray()));
    }
    return tensors;
  }

  /** Overwrites the named parameters of {@code model} with {@code values} (same shapes, checked by the caller). */
  static void load(GptModel model, Map<String, HostTensor> values, NDManager manager) {
    Map<String, Parameter> parameters = model.getParameters().toMap();
    for (Map.Entry<String, HostTensor> e : values.entrySet()) {
      HostTensor value = e.getValue();
      try (NDArray host = manager.create(value.values(), new Shape(value.shape()))) {
        host.copyTo(parameters.get(e.getKey()).getArray());
      }
    }
  }
}
