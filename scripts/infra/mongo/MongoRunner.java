import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Local MongoDB stand-in for tests and development.
 *
 * Usage: MongoRunner --port 27117 [--host 127.0.0.1] [--h2 path/to/file.mv]
 * Without --h2 the data lives in memory and is gone when the process exits.
 */
public final class MongoRunner {
  /**
   * The MongoDB Node driver 7 refuses servers below wire version 9 (MongoDB 4.4), and even the
   * library's newest preset (MONGO_5_0) reports 8. The version is only reported in hello and
   * buildInfo, so we claim 4.4: the lowest the driver accepts, which keeps it from assuming
   * newer server features.
   */
  private static final MongoVersion REPORTED_VERSION = new MongoVersion() {
    @Override
    public List<Integer> getVersionArray() {
      return List.of(4, 4, 0);
    }

    @Override
    public int getWireVersion() {
      return 9;
    }
  };

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    String host = opts.getOrDefault("host", "127.0.0.1");
    int port = Integer.parseInt(opts.getOrDefault("port", "27117"));
    String h2File = opts.get("h2");

    MongoBackend backend;
    if (h2File == null) {
      backend = new MemoryBackend();
    } else {
      Path parent = Path.of(h2File).toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      backend = new H2Backend(h2File);
    }
    backend.version(REPORTED_VERSION);

    MongoServer server = new MongoServer(serialized(backend));
    server.bind(host, port);

    CountDownLatch stopped = new CountDownLatch(1);
    // shutdown() closes the backend, which is what flushes the H2 store to disk.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      stopped.countDown();
    }, "mongo-runner-shutdown"));

    System.out.println("mongo-runner: listening on " + host + ":" + port
        + (h2File == null ? " (memory)" : " (h2 " + h2File + ")"));
    System.out.flush();
    stopped.await();
  }

  private static final Set<String> SERIALIZED_METHODS =
      Set.of("handleCommand", "handleQuery", "handleMessage");

  /**
   * mongo-java-server's memory backend answers with its live stored documents, and the answer is
   * encoded only after the command returns; by then a concurrent `$inc` may have changed the
   * document in place, so two increments can both answer with the later count (seen as two
   * logins both told "3rd failure", or two tickets handed one number). MongoDB makes each
   * single-document write atomic together with the document it returns. Running the commands
   * one at a time and copying each answer before the next command starts gives the stand-in
   * that guarantee; it costs parallelism, not correctness.
   */
  private static MongoBackend serialized(MongoBackend backend) {
    ReentrantLock lock = new ReentrantLock(true);
    return (MongoBackend) Proxy.newProxyInstance(
        MongoBackend.class.getClassLoader(),
        new Class<?>[] {MongoBackend.class},
        (proxy, method, methodArgs) -> {
          boolean serialize = SERIALIZED_METHODS.contains(method.getName());
          if (serialize) lock.lock();
          try {
            Object result = method.invoke(backend, methodArgs);
            return serialize && result instanceof Document doc ? doc.cloneDeeply() : result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          } finally {
            if (serialize) lock.unlock();
          }
        });
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + arg);
      }
      opts.put(arg.substring(2), args[++i]);
    }
    return opts;
  }
}
