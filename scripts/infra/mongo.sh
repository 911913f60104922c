# MongoDB stand-in: mongo-java-server behind our MongoRunner.java. --test keeps data in
# memory on :27117; --dev persists it in an H2 file under .data/dev on :27017.

MONGO_SRC="$INFRA_DIR/mongo"

mongo_port() { if [ "$1" = dev ]; then echo 27017; else echo 27117; fi; }
mongo_pidfile() { echo "$RUN_DIR/mongo-$1.pid"; }
mongo_logfile() { echo "$LOG_DIR/mongo-$1.log"; }

# Resolves the classpath and compiles the runner once per version of the pom and source;
# running the class skips the ~0.5s source-launcher compile on every start.
mongo_install() {
  local key
  key="$(cat "$MONGO_SRC/pom.xml" "$MONGO_SRC/MongoRunner.java" | sha256sum | cut -c1-16)"
  MONGO_BUILD="$TOOLS_DIR/mongo-runner/$key"
  [ -f "$MONGO_BUILD/classes/MongoRunner.class" ] && [ -f "$MONGO_BUILD/classpath.txt" ] && return 0
  log "mongo: resolving mongo-java-server with maven and compiling the runner"
  command -v javac >/dev/null || apt_ensure default-jdk-headless || die "could not install a JDK (javac)"
  command -v mvn >/dev/null || apt_ensure maven || die "could not install maven"
  mkdir -p "$MONGO_BUILD/classes"
  local mvnlog="$LOG_DIR/mongo-maven.log"
  mvn -q -B -Dstyle.color=never -f "$MONGO_SRC/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$MONGO_BUILD/classpath.txt" >"$mvnlog" 2>&1 ||
    die "mvn dependency:build-classpath failed for $MONGO_SRC/pom.xml; see $mvnlog"
  javac -nowarn -d "$MONGO_BUILD/classes" -cp "$(cat "$MONGO_BUILD/classpath.txt")" \
    "$MONGO_SRC/MongoRunner.java" >&2 || die "javac MongoRunner.java failed"
  find "$TOOLS_DIR/mongo-runner" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
}

mongo_up() {
  local mode="$1" port pidfile logfile
  port="$(mongo_port "$mode")"; pidfile="$(mongo_pidfile "$mode")"; logfile="$(mongo_logfile "$mode")"
  if port_open "$port"; then
    log "mongo ($mode): reusing the server on :$port"
    return 0
  fi
  mongo_install
  local args=(--host 127.0.0.1 --port "$port")
  [ "$mode" = dev ] && args+=(--h2 "$DATA_DIR/dev/mongo.mv")
  log "mongo ($mode): starting (log $logfile)"
  # Measured: C1 only (-XX:TieredStopAtLevel=1) starts ~70 ms sooner but ran a CRUD loop ~6%
  # slower; the server outlives many test runs, so full tiering wins. -Xms spares heap resizing.
  spawn "$pidfile" "$logfile" java -Xms256m -Xmx2g -Xshare:auto -XX:+UseParallelGC \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true \
    -cp "$MONGO_BUILD/classes:$(cat "$MONGO_BUILD/classpath.txt")" MongoRunner "${args[@]}"
  wait_until "mongo ($mode)" "$pidfile" "$logfile" "${INFRA_WAIT_MONGO:-60}" port_open "$port"
  log "mongo ($mode): ready on :$port"
}

mongo_exports() { echo "export MONGO_URL=mongodb://127.0.0.1:$(mongo_port "$1")"; }

mongo_status() {
  local mode="$1" port
  port="$(mongo_port "$mode")"
  if port_open "$port"; then echo "mongo-$mode:$port  up$(is_ours "$(mongo_pidfile "$mode")" "$port" && echo ' (ours)')"
  else echo "mongo-$mode:$port  down"; fi
}
