package io.stagewise.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stagewise.trainer.collective.CollectiveOptions;
import io.stagewise.trainer.collective.RingAllReduce;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/** The rendezvous inside real barrier tasks of local Spark: where each task listens, and the ring it forms. */
class BarrierRendezvousTest {

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder()
        .master("local[2]")
        .appName("stagewise-rendezvous-test")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void eachTaskListensOnItsExecutorsHostAddressNotTheWildcard() {
    List<String> bound = inBarrierTasks(task -> {
      try (ServerSocket listener = BarrierRendezvous.listen(task)) {
        String executor = task.getTaskInfos()[task.partitionId()].address();
        InetAddress host = InetAddress.getByName(executor.substring(0, executor.lastIndexOf(':')));
        return listener.getInetAddress().isAnyLocalAddress() + " " + listener.getInetAddress().equals(host);
      }
    });
    assertEquals(List.of("false true", "false true"), bound);
  }

  @Test
  void theTasksFormAWorkingRingOfTheirStageAttempt() {
    byte[] secret = "rendezvous-test-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    List<String> sums = inBarrierTasks(task -> {
      try (RingAllReduce ring = BarrierRendezvous.join(task, secret, CollectiveOptions.defaults())) {
        FloatBuffer buffer = FloatBuffer.wrap(new float[] {ring.rank() + 1, 10});
        ring.allReduceSum(buffer);
        return buffer.get(0) + " " + buffer.get(1);
      }
    });
    assertEquals(List.of("3.0 20.0", "3.0 20.0"), sums);
  }

  /** What a barrier task computes from its context. */
  interface TaskProbe extends Serializable {
    String run(BarrierTaskContext task) throws Exception;
  }

  /** Runs {@code probe} in each of two barrier tasks and returns their answers by partition. */
  private static List<String> inBarrierTasks(TaskProbe probe) {
    JavaRDD<Integer> two = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0, 1), 2);
    Probe function = new Probe(probe);
    return JavaRDD.fromRDD(two.rdd().barrier().mapPartitions(function, false, ClassTag$.MODULE$.apply(
        String.class)), ClassTag$.MODULE$.apply(String.class)).collect();
  }

  private static final class Probe extends AbstractFunction1<Iterator<Integer>, Iterator<String>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final TaskProbe probe;

    Probe(TaskProbe probe) {
      this.probe = probe;
    }

    @Override
    public Iterator<String> apply(Iterator<Integer> ignored) {
      List<String> out = new ArrayList<>();
      try {
        out.add(probe.run(BarrierTaskContext.get()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return JavaConverters.asScalaIterator(out.iterator());
    }
  }
}
