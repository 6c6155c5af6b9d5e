package io.stagewise.tests;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * fabric8's CRUD mock API server (6.7) with one gap filled: a server-side apply of an object that does not
 * exist yet answers 404 there, where a real API server creates the object. Spark's submission client applies
 * the driver's service and config maps that way, so without this the mock refuses every submission.
 */
final class ServerSideApplyDispatcher extends KubernetesCrudDispatcher {

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String type = request.getHeader("Content-Type");
    String path = request.getPath().split("\\?", 2)[0];
    if (type == null || !type.startsWith("application/apply-patch") || !handleGet(path).getStatus().contains(" 404 ")) {
      return super.handlePatch(request);
    }
    // The apply body is the whole object (YAML or JSON); the store holds JSON.
    String object = Serialization.asJson(Serialization.unmarshal(request.getBody().readUtf8()));
    return handleCreate(path.substring(0, path.lastIndexOf('/')), object);
  }
}
