package io.stagewise.distributed;

import io.stagewise.trainer.collective.CollectiveOptions;
import io.stagewise.trainer.collective.RingAllReduce;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * Forms the ring of a barrier stage: every task opens a listening socket, the tasks exchange {@code host:port}
 * through {@link BarrierTaskContext#allGather}, and each connects to its right neighbour, both sides proving the
 * job secret and the stage attempt. The socket listens on the executor's host as Spark knows it, not on every
 * interface: the ring follows the network Spark itself uses between executors and is not offered on the others.
 * The stage attempt number goes into the handshake because a retried stage reuses the job secret, and a task of
 * the failed attempt may still be running.
 */
final class BarrierRendezvous {

  private BarrierRendezvous() {
  }

  static RingAllReduce join(BarrierTaskContext task, byte[] secret, CollectiveOptions options) {
    ServerSocket listener = listen(task);
    String[] all;
    try {
      all = task.allGather(listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort());
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
    return RingAllReduce.connect(listener, task.partitionId(), peers, secret, task.stageAttemptNumber(),
        options);
  }

  /** This task's listening socket, on an ephemeral port of its executor's host address. */
  static ServerSocket listen(BarrierTaskContext task) {
    String executor = task.getTaskInfos()[task.partitionId()].address();
    String host = executor.substring(0, executor.lastIndexOf(':'));
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("the executor's host " + host + " (from Spark's task info " + executor
          + ") does not resolve on the executor itself", e);
    }
    try {
      return RingAllReduce.listen(address);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the ring's listening socket on " + address
          + ", the executor's host as Spark knows it: " + e.getMessage(), e);
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
