package io.stagewise.distributed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.sft.TrainRunSpec;

/**
 * Run specs and results as JSON text: the trainer's records are plain records, not {@link java.io.Serializable},
 * and JSON keeps the task closures free of the trainer's class layout.
 */
final class RunCodec {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private RunCodec() {
  }

  static String spec(TrainRunSpec spec) {
    return write(spec);
  }

  static TrainRunSpec spec(String json) {
    return read(json, TrainRunSpec.class);
  }

  static String result(TrainResult result) {
    return write(result);
  }

  static TrainResult result(String json) {
    return read(json, TrainResult.class);
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + ": " + e, e);
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot decode " + type.getSimpleName() + ": " + e, e);
    }
  }
}
