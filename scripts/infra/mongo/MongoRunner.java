import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
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
      backend = new IndexedMemoryBackend();
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

  // ---------------------------------------------------------------------------------------------
  // Ordered secondary indexes for the memory backend.
  //
  // mongo-java-server ignores non-unique indexes ("not yet implemented"), so every sorted find
  // scanned and sorted the whole collection: a page of an org's 100,000 tickets cost ~200 ms.
  // MongoDB answers such a page from one index range. These classes give the memory backend the
  // same plan for the shape that matters: equality on the index's leading fields, then a sort on
  // exactly its remaining fields (all in its direction, or all reversed), ending with `_id` so the
  // order is total and does not depend on the plan. The entries of that range are walked in
  // order, each document is still checked against the whole filter by the library's own matcher,
  // and the walk stops once skip + limit documents matched. Anything else (no such index, an
  // array in an indexed field, a filter the index cannot narrow) falls back to the library's
  // scan-and-sort, so answers are the same either way; only the work differs.
  // ---------------------------------------------------------------------------------------------

  static final class IndexedMemoryBackend extends MemoryBackend {
    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
      return new IndexedMemoryDatabase(databaseName, getCursorRegistry());
    }

    /**
     * `explain` of a find (the library has none): the plan the find would run with, in
     * MongoDB's shape: FETCH over an IXSCAN of the index it uses, or a COLLSCAN (under a SORT
     * when sorted). Other commands to explain are refused as before.
     */
    @Override
    public Document handleCommand(
        io.netty.channel.Channel channel, String databaseName, String command, Document query) {
      if (command.equalsIgnoreCase("explain") && query.get("explain") instanceof Document inner
          && inner.get("find") instanceof String collectionName) {
        Document filter = inner.get("filter") instanceof Document f ? f : new Document();
        Document sort = inner.get("sort") instanceof Document o ? o : null;
        Object collection = resolveDatabase(databaseName).resolveCollection(collectionName, false);
        Document plan;
        if (collection == null) {
          plan = new Document("stage", "EOF");
        } else if (collection instanceof IndexedMemoryCollection indexed) {
          plan = indexed.explain(filter, sort);
        } else {
          plan = new Document("stage", "COLLSCAN");
        }
        Document planner = new Document("namespace", databaseName + "." + collectionName)
            .append("parsedQuery", filter)
            .append("winningPlan", plan)
            .append("rejectedPlans", List.of());
        return new Document("queryPlanner", planner).append("ok", 1.0);
      }
      return super.handleCommand(channel, databaseName, command, query);
    }
  }

  static final class IndexedMemoryDatabase extends MemoryDatabase {
    IndexedMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
      super(databaseName, cursorRegistry);
    }

    @Override
    protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
      return new IndexedMemoryCollection(this, collectionName, options, cursorRegistry);
    }

    @Override
    protected Index<Integer> openOrCreateSecondaryIndex(
        String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
      return new OrderedIndex(indexName, keys, sparse);
    }
  }

  static final class IndexedMemoryCollection extends MemoryCollection {
    IndexedMemoryCollection(
        MemoryDatabase database, String name, CollectionOptions options, CursorRegistry cursorRegistry) {
      super(database, name, options, cursorRegistry);
    }

    /**
     * The index a find runs on (null: a scan); for an ordered index, the filter's equalities and
     * how many of its leading fields they fix.
     */
    record Plan(Index<Integer> index, Map<String, Object> equal, int prefix, Document lookup) {
      Plan(Index<Integer> index, Map<String, Object> equal, int prefix) {
        this(index, equal, prefix, null);
      }
    }

    /** What `queryDocuments` does with this filter and sort, and what `explain` reports. */
    Plan plan(Document query, Document orderBy) {
      Document filter = query == null ? new Document() : query;
      for (Index<Integer> index : getIndexes()) {
        // A unique index narrows the filter to a few documents: the library's own plan.
        if (index.canHandle(filter)) return new Plan(index, Map.of(), -1);
      }
      // The library uses a unique index only when the filter names exactly its fields, so
      // `{_id, orgId}` or `{_id, rev}` (most reads and writes of one document) scanned the whole
      // collection. The `_id` index holds every document, so looking the `_id` up there and
      // checking the rest of the filter on what it finds gives the scan's answer.
      Object id = filter.get(getIdField());
      if (id != null && filter.size() > 1) {
        Document lookup = new Document(getIdField(), id);
        for (Index<Integer> index : getIndexes()) {
          List<IndexKey> keys = index.getKeys();
          if (keys.size() == 1 && keys.get(0).getKey().equals(getIdField()) && index.canHandle(lookup)) {
            return new Plan(index, Map.of(), -1, lookup);
          }
        }
      }
      if (orderBy == null || orderBy.isEmpty() || orderBy.containsKey("$natural")) return new Plan(null, Map.of(), -1);
      Map<String, Object> equal = OrderedIndex.equalities(filter);
      OrderedIndex best = null;
      int longest = -1;
      for (Index<Integer> index : getIndexes()) {
        if (index instanceof OrderedIndex ordered) {
          int prefix = ordered.prefixFor(equal, orderBy);
          if (prefix > longest) {
            longest = prefix;
            best = ordered;
          }
        }
      }
      // An index that has seen an array value cannot give the order: scan.
      if (best == null || !best.warmUp(this::getDocument)) return new Plan(null, Map.of(), -1);
      return new Plan(best, equal, longest);
    }

    @Override
    protected QueryResult queryDocuments(
        Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
      Plan plan = plan(query, orderBy);
      if (plan.lookup() != null) {
        Iterable<Integer> positions = plan.index().getPositions(plan.lookup());
        return matchDocuments(query, positions, orderBy, numberToSkip, limit, batchSize, fieldSelector);
      }
      if (!(plan.index() instanceof OrderedIndex ordered)) {
        return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
      }
      NavigableSet<OrderedIndex.Entry> range = ordered.range(plan.equal(), orderBy, plan.prefix());
      Stream<Document> inOrder = range.stream().map(entry -> getDocument(entry.position()));
      return matchDocumentsFromStream(query, inOrder, numberToSkip, limit, batchSize, null, fieldSelector);
    }

    Document explain(Document filter, Document sort) {
      Plan plan = plan(filter, sort);
      if (plan.index() == null) {
        Document scan = new Document("stage", "COLLSCAN").append("filter", filter);
        return sort == null || sort.isEmpty() ? scan : new Document("stage", "SORT").append("sortPattern", sort).append("inputStage", scan);
      }
      Document key = new Document();
      for (IndexKey k : plan.index().getKeys()) key.append(k.getKey(), k.isAscending() ? 1 : -1);
      Document scan = new Document("stage", "IXSCAN").append("keyPattern", key).append("indexName", plan.index().getName());
      if (plan.index() instanceof OrderedIndex) {
        scan.append("equalityPrefix", plan.prefix());
        if (sort != null && !sort.isEmpty()) {
          boolean forward = ((Number) sort.values().iterator().next()).intValue() > 0
              == plan.index().getKeys().get(plan.prefix()).isAscending();
          scan.append("direction", forward ? "forward" : "backward");
        }
      }
      return new Document("stage", "FETCH").append("inputStage", scan);
    }
  }

  static final class OrderedIndex extends Index<Integer> {
    /** Key values as the document held them, its position; a probe (-1/+1) bounds a prefix range. */
    record Entry(Object[] values, int position, int probe) {}

    private final String[] fields;
    private final Comparator<Object>[] comparators;
    private final boolean[] ascending;
    private final TreeSet<Entry> tree = new TreeSet<>(this::compare);
    /** Every indexed document by `_id`, to find its entry again on update and removal. */
    private final Map<Object, Entry> byId = new HashMap<>();
    /** Documents with an array in an indexed field: the index then serves no query. */
    private final Map<Object, Integer> multiKey = new HashMap<>();
    /**
     * An index is ordered only from the first find it could serve on: until then it keeps just
     * each document's position, so collections nobody reads in index order (most of them) pay
     * next to nothing for their indexes on writes.
     */
    private boolean warm;
    /**
     * Set when the library's comparator refused two indexed values (it cannot order two regular
     * expressions, for one): the index then serves no find and keeps positions only, and writes
     * go on working as they did before ordered indexes existed.
     */
    private boolean broken;

    /** Whether the tree is kept: after the first use, unless values could not be ordered. */
    private boolean ordered() {
      return warm && !broken;
    }

    private void giveUp() {
      broken = true;
      tree.clear();
      multiKey.clear();
    }

    @SuppressWarnings("unchecked")
    OrderedIndex(String name, List<IndexKey> keys, boolean sparse) {
      super(name, keys, sparse);
      fields = keys.stream().map(IndexKey::getKey).toArray(String[]::new);
      ascending = new boolean[keys.size()];
      for (int i = 0; i < ascending.length; i++) ascending[i] = keys.get(i).isAscending();
      comparators = keys.stream()
          .map(k -> k.isAscending() ? ValueComparator.asc() : ValueComparator.desc())
          .toArray(Comparator[]::new);
    }

    private int compare(Entry a, Entry b) {
      int n = Math.min(a.values().length, b.values().length);
      for (int i = 0; i < n; i++) {
        int c = compareAt(i, a.values()[i], b.values()[i]);
        if (c != 0) return c;
      }
      if (a.probe() != 0 || b.probe() != 0) return Integer.compare(a.probe(), b.probe());
      return Integer.compare(a.position(), b.position());
    }

    /**
     * The library's order for the field (ValueComparator), with the common same-type cases
     * (strings, dates) taken directly: ValueComparator answers them the same way after working
     * out both values' type ranks, which was most of an insert's index cost.
     */
    private int compareAt(int i, Object x, Object y) {
      int c;
      if (x instanceof String a && y instanceof String b) c = a.compareTo(b);
      else if (x instanceof Instant a && y instanceof Instant b) c = a.compareTo(b);
      else return comparators[i].compare(x, y);
      return ascending[i] ? c : -c;
    }

    /** Top-level (and `$and`) equality conditions on plain values: the only ones a range uses. */
    static Map<String, Object> equalities(Document query) {
      Map<String, Object> out = new HashMap<>();
      collectEqualities(query, out);
      return out;
    }

    private static void collectEqualities(Document query, Map<String, Object> out) {
      for (Map.Entry<String, Object> condition : query.entrySet()) {
        String key = condition.getKey();
        Object value = condition.getValue();
        if (key.equals("$and") && value instanceof Collection<?> all) {
          for (Object part : all) if (part instanceof Document d) collectEqualities(d, out);
          continue;
        }
        if (key.startsWith("$")) continue;
        if (value instanceof Document operators && operators.size() == 1) {
          if (operators.containsKey("$eq")) value = operators.get("$eq");
          else if (operators.get("$in") instanceof Collection<?> in && in.size() == 1) value = in.iterator().next();
        }
        if (isPlain(value)) out.putIfAbsent(key, value);
      }
    }

    private static boolean isPlain(Object value) {
      return value instanceof String || value instanceof Number || value instanceof Boolean
          || value instanceof Instant || value instanceof ObjectId || value instanceof UUID;
    }

    /**
     * How many leading fields the equalities fix when the rest of the index is exactly the sort
     * and ends with `_id`; -1 when this index cannot give the sort's order.
     */
    int prefixFor(Map<String, Object> equal, Document orderBy) {
      if (!fields[fields.length - 1].equals("_id")) return -1;
      int prefix = 0;
      while (prefix < fields.length && equal.containsKey(fields[prefix])) prefix++;
      List<String> sortFields = new ArrayList<>(orderBy.keySet());
      // The sort may also name fields the filter fixes: the range then starts before them.
      prefix = Math.min(prefix, fields.length - sortFields.size());
      if (prefix < 0 || prefix + sortFields.size() != fields.length) return -1;
      Boolean reversed = null;
      for (int i = 0; i < sortFields.size(); i++) {
        if (!sortFields.get(i).equals(fields[prefix + i])) return -1;
        if (!(orderBy.get(sortFields.get(i)) instanceof Number dir)) return -1;
        // Read as the library's DocumentComparator reads it, so both plans sort alike.
        boolean same = (dir.intValue() > 0) == getKeys().get(prefix + i).isAscending();
        if (reversed == null) reversed = !same;
        else if (reversed == same) return -1;
      }
      return prefix;
    }

    /** Orders the index if it was not yet; false when it cannot serve (an array in its fields). */
    boolean warmUp(java.util.function.IntFunction<Document> documentAt) {
      if (broken) return false;
      if (!warm) {
        // Built aside and kept only when every value could be ordered.
        Map<Object, Entry> entries = new HashMap<>();
        try {
          for (Map.Entry<Object, Entry> e : byId.entrySet()) {
            int position = e.getValue().position();
            Entry entry = entryOf(documentAt.apply(position), position);
            entries.put(e.getKey(), entry);
            if (hasArray(entry)) multiKey.merge(e.getKey(), 1, Integer::sum);
            else tree.add(entry);
          }
        } catch (RuntimeException e) {
          giveUp();
          return false;
        }
        byId.putAll(entries);
        warm = true;
      }
      return multiKey.isEmpty();
    }

    /** The entries whose first `prefix` fields equal the equalities, in the sort's order. */
    NavigableSet<Entry> range(Map<String, Object> equal, Document orderBy, int prefix) {
      NavigableSet<Entry> set = tree;
      if (prefix > 0) {
        Object[] bound = new Object[prefix];
        for (int i = 0; i < prefix; i++) bound[i] = equal.get(fields[i]);
        set = tree.subSet(new Entry(bound, -1, -1), true, new Entry(bound, -1, 1), true);
      }
      String first = orderBy.keySet().iterator().next();
      boolean ascending = ((Number) orderBy.get(first)).intValue() > 0;
      boolean indexAscending = getKeys().get(prefix).isAscending();
      return ascending == indexAscending ? set : set.descendingSet();
    }

    /**
     * The `_id` as stored: every document this index is given is the stored one or a copy of it,
     * so its `_id` is the same value of the same type each time (no normalising needed).
     */
    private static Object idOf(Document document) {
      return document.get("_id");
    }

    private Entry entryOf(Document document, int position) {
      Object[] values = new Object[fields.length];
      for (int i = 0; i < fields.length; i++) {
        // A top-level field is read directly; a path goes through the library (arrays on the way).
        Object value = fields[i].indexOf('.') < 0
            ? (document.containsKey(fields[i]) ? document.get(fields[i]) : Missing.getInstance())
            : Utils.getSubdocumentValueCollectionAware(document, fields[i]);
        // The stored document changes in place on update: keep copies, not its live parts.
        values[i] = value instanceof Document d ? d.cloneDeeply() : value;
      }
      return new Entry(values, position, 0);
    }

    /** The same values (1 and 1.0 are not: such an entry is simply re-added). */
    private static boolean sameValues(Entry a, Entry b) {
      return java.util.Arrays.equals(a.values(), b.values());
    }

    private static boolean hasArray(Entry entry) {
      for (Object value : entry.values()) if (value instanceof Collection) return true;
      return false;
    }

    @Override
    public Integer getPosition(Document document) {
      Entry entry = byId.get(idOf(document));
      return entry == null ? null : entry.position();
    }

    @Override
    public void checkAdd(Document document, de.bwaldvogel.mongo.MongoCollection<Integer> collection) {}

    @Override
    public void add(Document document, Integer position, de.bwaldvogel.mongo.MongoCollection<Integer> collection) {
      Object id = idOf(document);
      if (!ordered()) {
        byId.put(id, new Entry(null, position, 0));
        return;
      }
      Entry entry = entryOf(document, position);
      byId.put(id, entry);
      if (hasArray(entry)) {
        multiKey.merge(id, 1, Integer::sum);
        return;
      }
      try {
        tree.add(entry);
      } catch (RuntimeException e) {
        giveUp();
      }
    }

    @Override
    public Integer remove(Document document) {
      Object id = idOf(document);
      Entry entry = byId.remove(id);
      if (entry == null) return null;
      if (ordered() && multiKey.remove(id) == null) {
        try {
          tree.remove(entry);
        } catch (RuntimeException e) {
          giveUp();
        }
      }
      return entry.position();
    }

    @Override
    public boolean canHandle(Document query) {
      return false;
    }

    @Override
    public Iterable<Integer> getPositions(Document query) {
      throw new UnsupportedOperationException("an ordered index serves sorted finds only");
    }

    @Override
    public long getCount() {
      return byId.size();
    }

    @Override
    public long getDataSize() {
      return 0;
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, de.bwaldvogel.mongo.MongoCollection<Integer> collection) {}

    @Override
    public void updateInPlace(
        Document oldDocument, Document newDocument, Integer position, de.bwaldvogel.mongo.MongoCollection<Integer> collection) {
      // In place: the position stays, and a cold index keeps nothing else.
      if (!ordered()) return;
      Entry before = byId.get(idOf(oldDocument));
      Entry after = entryOf(newDocument, position);
      // Most updates leave the indexed fields alone (an outbox pull, a comment): nothing moves.
      if (before != null && before.position() == position && !hasArray(before) && !hasArray(after)
          && sameValues(before, after)) {
        return;
      }
      remove(oldDocument);
      add(newDocument, position, collection);
    }

    @Override
    public void drop() {
      tree.clear();
      byId.clear();
      multiKey.clear();
      warm = false;
      broken = false;
    }
  }
}
