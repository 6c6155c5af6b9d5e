package io.stagewise.distributed;

import io.stagewise.trainer.collective.CollectiveOptions;
import io.stagewise.trainer.collective.RingAllReduce;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * Forms the ring of a barrier stage: every task opens a listening socket, the tasks exchange {@code host:port}
 * through {@link BarrierTaskContext#allGather}, and each connects to its right neighbour, both sides proving the
 * job secret. The address a task announces is its executor's host as Spark knows it, so the ring follows the
 * network Spark itself uses between executors.
 */
final class BarrierRendezvous {

  private BarrierRendezvous() {
  }

  static RingAllReduce join(BarrierTaskContext task, byte[] secret, CollectiveOptions options) {
    ServerSocket listener = listen();
    String executor = task.getTaskInfos()[task.partitionId()].address();
    String host = executor.substring(0, executor.lastIndexOf(':'));
    String[] all;
    try {
      all = task.allGather(host + ":" + listener.getLocalPort());
    } catch (RuntimeException e) {
      close(listener);
      throw e;
    }
    List<InetSocketAddress> peers = new ArrayList<>(all.length);
    for (String address : all) {
      int colon = address.lastIndexOf(':');
      peers.add(new InetSocketAddress(address.substring(0, colon),
          Integer.parseInt(address.substring(colon + 1))));
    }
    return RingAllReduce.connect(listener, task.partitionId(), peers, secret, options);
  }

  private static ServerSocket listen() {
    try {
      // The wildcard address: the announced host name may resolve to any of the executor's interfaces.
      return RingAllReduce.listen(InetAddress.getByName("0.0.0.0"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the ring's listening socket", e);
    }
  }

  private static void close(ServerSocket listener) {
    try {
      listener.close();
    } catch (IOException ignored) {
      // the rendezvous failure is the error worth reporting
    }
  }
}
