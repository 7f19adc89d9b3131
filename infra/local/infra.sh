#!/usr/bin/env bash
# Local Kafka (KRaft) and S3 (versitygw) without Docker — see infra/local/README.md.
#
#   infra.sh install            fetch the Kafka jars and build versitygw (cached), start nothing
#   infra.sh up [--brokers N]   install, then start what is not running (N = 1 or 3; default 1)
#       [--kafka-only]          start Kafka only (tests that need a Kafka of their own)
#   infra.sh down [--purge]     stop what `up` started; --purge also deletes the data
#   infra.sh env                print the `export` lines for KAFKA_BROKERS, S3_ENDPOINT, … and the SASL listener's
#   infra.sh status             print what runs (exit 3 if something is stopped)
#
# Everything lives under one folder: $AUDITSEAL_LOCAL_DIR, default <repo>/.local.
# Exit codes: 0 ok, 1 something failed to start or stop, 2 usage or missing tool.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/infra/local"

KAFKA_VERSION=4.4.0
VERSITYGW_VERSION=v1.8.0
VERSITYGW_MODULE=github.com/versity/versitygw

LOCAL_DIR=${AUDITSEAL_LOCAL_DIR:-$ROOT/.local}
KAFKA_PORT=${AUDITSEAL_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${AUDITSEAL_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 100))}
# The SASL_PLAINTEXT listener (PLAIN and SCRAM-SHA-512), next to the plain one.
KAFKA_SASL_PORT=${AUDITSEAL_KAFKA_SASL_PORT:-$((KAFKA_PORT + 10))}
# DEVELOPMENT-ONLY credentials of that listener (infra/local/README.md): the
# same user for PLAIN (listener JAAS config) and SCRAM-SHA-512 (stored at format).
KAFKA_SASL_DEV_USER=auditseal
KAFKA_SASL_DEV_PASSWORD=auditseal-dev-password
# The SSL listener (mutual TLS: a client certificate is required), next to those.
KAFKA_SSL_PORT=${AUDITSEAL_KAFKA_SSL_PORT:-$((KAFKA_PORT + 20))}
KAFKA_HEAP=${AUDITSEAL_KAFKA_HEAP:-512m}
S3_PORT=${AUDITSEAL_S3_PORT:-7070}
S3_REGION=us-east-1
S3_ACCESS_KEY_ID=auditseal-local
S3_SECRET_ACCESS_KEY=auditseal-local-secret
S3_BUCKET=auditseal-archive
HOST=127.0.0.1

RUN_DIR="$LOCAL_DIR/run"    # pid files and the state of what runs
LOG_DIR="$LOCAL_DIR/logs"
BIN_DIR="$LOCAL_DIR/bin"
KAFKA_DIR="$LOCAL_DIR/kafka"
LIBS_DIR="$KAFKA_DIR/libs"
S3_DIR="$LOCAL_DIR/s3"
S3_OBJECTS_DIR="$S3_DIR/objects"
S3_VERSIONS_DIR="$S3_DIR/versions"
S3_SIDECAR_DIR="$S3_DIR/sidecar"
VERSITYGW="$BIN_DIR/versitygw"

say() { printf 'infra: %s\n' "$*" >&2; }
die() { printf 'infra: error: %s\n' "$*" >&2; exit 1; }
die_env() { printf 'infra: error: %s\n' "$*" >&2; exit 2; }

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- prerequisites

# version_ge A B: true when dotted version A >= B.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

require_openssl() {
  command -v openssl >/dev/null 2>&1 || die_env "openssl not found: install it (e.g. the openssl package); it makes the development certificates of Kafka's TLS listener."
}

require_node() {
  command -v node >/dev/null 2>&1 || die_env "node not found: install Node.js 20 or newer."
  local v; v=$(node -p 'process.versions.node')
  version_ge "$v" 20.0.0 || die_env "Node.js $v is too old: install Node.js 20 or newer."
}

require_java() {
  command -v java >/dev/null 2>&1 || die_env "java not found: install a JDK 17 or newer (e.g. the openjdk-17-jdk-headless package); Kafka $KAFKA_VERSION needs Java 17+."
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  [ -n "$v" ] || die_env "could not read the Java version from 'java -version': install a JDK 17 or newer."
  version_ge "$v" 17 || die_env "Java $v is too old: Kafka $KAFKA_VERSION needs Java 17 or newer (e.g. the openjdk-17-jdk-headless package)."
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 || die_env "mvn not found: install Apache Maven 3.8 or newer (e.g. the maven package); it fetches the Kafka $KAFKA_VERSION jars."
  local v
  v=$(mvn -B -v 2>/dev/null | sed -n 's/.*Apache Maven \([0-9][0-9.]*\).*/\1/p' | head -n1)
  [ -n "$v" ] || die_env "could not read the Maven version from 'mvn -v': install Apache Maven 3.8 or newer."
  version_ge "$v" 3.8.0 || die_env "Maven $v is too old: install Apache Maven 3.8 or newer."
}

require_go() {
  command -v go >/dev/null 2>&1 || die_env "go not found: install Go 1.25 or newer (the golang package or the official tarball); it builds versitygw $VERSITYGW_VERSION."
  local v; v=$(go env GOVERSION | sed 's/^go//')
  version_ge "$v" 1.25 && return 0
  # versitygw's go.mod says `go 1.25.0`; Go 1.21+ fetches that toolchain by
  # itself (through the module proxy) unless GOTOOLCHAIN=local forbids it.
  if version_ge "$v" 1.21 && [ "$(go env GOTOOLCHAIN)" != local ]; then return 0; fi
  die_env "Go $v is too old: versitygw $VERSITYGW_VERSION needs Go 1.25 or newer (or Go 1.21+ with GOTOOLCHAIN=auto)."
}

ensure_node_modules() {
  # probe.mjs uses kafkajs and the S3 SDK from the workspace.
  require_node
  [ -d "$ROOT/packages/testkit/node_modules/kafkajs" ] && [ -d "$ROOT/packages/testkit/node_modules/@aws-sdk/client-s3" ] && return 0
  say "installing workspace dependencies (needed by the readiness probes)…"
  node "$ROOT/scripts/bootstrap.mjs"
}

# ---------------------------------------------------------------- downloads and builds (cached)

ensure_kafka_libs() {
  local pom="$HERE/kafka/pom.xml" stamp
  stamp=$(cksum <"$pom" | cut -d' ' -f1)
  if [ -f "$LIBS_DIR/.stamp" ] && [ "$(cat "$LIBS_DIR/.stamp")" = "$stamp" ]; then return 0; fi
  require_mvn
  say "fetching the Kafka $KAFKA_VERSION jars with Maven into $LIBS_DIR…"
  rm -rf "$LIBS_DIR.tmp"
  mkdir -p "$KAFKA_DIR"
  # (Maven 3.8 prints colour resets even in batch mode: strip them.)
  if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$LIBS_DIR.tmp" 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$LIBS_DIR.tmp"
    die "mvn could not fetch the Kafka jars (see the output above)."
  fi
  [ -f "$LIBS_DIR.tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing from $LIBS_DIR.tmp."
  echo "$stamp" >"$LIBS_DIR.tmp/.stamp"
  rm -rf "$LIBS_DIR"
  mv "$LIBS_DIR.tmp" "$LIBS_DIR"
}

versitygw_version() {
  # `versitygw --version` says "git" for `go install` builds; the module version
  # recorded in the binary is the reliable one.
  go version -m "$VERSITYGW" 2>/dev/null | awk -v m="$VERSITYGW_MODULE" '$1 == "mod" && $2 == m { print $3 }'
}

ensure_versitygw() {
  if [ -x "$VERSITYGW" ]; then
    if ! command -v go >/dev/null 2>&1; then return 0; fi   # cannot check, cannot rebuild: use it
    [ "$(versitygw_version)" = "$VERSITYGW_VERSION" ] && return 0
  fi
  require_go
  say "building versitygw $VERSITYGW_VERSION with go install into $BIN_DIR (a few minutes the first time)…"
  mkdir -p "$BIN_DIR"
  GOBIN="$BIN_DIR" go install "$VERSITYGW_MODULE/cmd/versitygw@$VERSITYGW_VERSION" >&2 \
    || die "go install $VERSITYGW_MODULE/cmd/versitygw@$VERSITYGW_VERSION failed (see the output above)."
  [ "$(versitygw_version)" = "$VERSITYGW_VERSION" ] || die "built $VERSITYGW but it does not report module version $VERSITYGW_VERSION."
}

# ---------------------------------------------------------------- processes

pid_of() { [ -s "$RUN_DIR/$1.pid" ] && cat "$RUN_DIR/$1.pid" || true; }

# alive NAME MARKER: the pid in NAME.pid runs and its command line contains
# MARKER (guards against a recycled pid after a reboot).
alive() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
  else
    ps -ww -o args= -p "$pid" 2>/dev/null | grep -qF -- "$2"
  fi
}

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# launch NAME LOGFILE CMD...: run CMD detached in its own session (so `down`
# can signal the whole process group), stdout/stderr to LOGFILE, pid to NAME.pid.
launch() {
  local name=$1 log=$2; shift 2
  local pidfile="$RUN_DIR/$name.pid"
  rm -f "$pidfile"
  local starter=(nohup)
  command -v setsid >/dev/null 2>&1 && starter=(setsid)
  # 9>&-: do not hand the infra lock to the long-running child.
  "${starter[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
  local i
  for i in $(seq 1 50); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "$name did not start (no pid file); see $log"
}

# terminate PID: SIGTERM its process group (launch made it a session leader).
terminate() { kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true; }

# wait_gone GRACE_SECONDS PID...: wait for the pids to exit, SIGKILL the rest after the grace period.
wait_gone() {
  local grace=$1; shift
  local deadline=$((SECONDS + grace)) pid left
  while :; do
    left=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      say "still running after ${grace}s, killing: ${left[*]}"
      for pid in "${left[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
      sleep 1
      return 0
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- Kafka

kafka_client_port() { echo $((KAFKA_PORT + $1 - 1)); }
kafka_controller_port() { echo $((KAFKA_CONTROLLER_PORT + $1 - 1)); }
kafka_sasl_port() { echo $((KAFKA_SASL_PORT + $1 - 1)); }
kafka_ssl_port() { echo $((KAFKA_SSL_PORT + $1 - 1)); }

kafka_brokers_list() {
  local n=$1 i out=()
  for i in $(seq 1 "$n"); do out+=("$HOST:$(kafka_client_port "$i")"); done
  (IFS=,; echo "${out[*]}")
}

kafka_sasl_brokers_list() {
  local n=$1 i out=()
  for i in $(seq 1 "$n"); do out+=("$HOST:$(kafka_sasl_port "$i")"); done
  (IFS=,; echo "${out[*]}")
}

kafka_ssl_brokers_list() {
  local n=$1 i out=()
  for i in $(seq 1 "$n"); do out+=("$HOST:$(kafka_ssl_port "$i")"); done
  (IFS=,; echo "${out[*]}")
}

# DEVELOPMENT-ONLY TLS material of the SSL listener, made once with openssl in
# kafka/tls/: a CA, the brokers' certificate (for 127.0.0.1 and localhost) and
# a client certificate, each signed by that CA; keys unencrypted (PKCS#8 PEM,
# which Kafka reads with ssl.keystore.type=PEM).
KAFKA_TLS_DIR="$KAFKA_DIR/tls"
ensure_kafka_tls() {
  [ -s "$KAFKA_TLS_DIR/client.crt" ] && return 0
  require_openssl
  say "making development TLS certificates in $KAFKA_TLS_DIR…"
  local d="$KAFKA_TLS_DIR.tmp"
  rm -rf "$d" && mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=AuditSeal local development CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out broker.crt -days 3650 -extfile broker.ext
    openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=auditseal-dev-client"
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 3650 -extfile client.ext
    # The brokers' PEM keystore: private key, then its certificate chain.
    cat broker.key broker.crt ca.crt >broker-keystore.pem
    rm -f ./*.csr ./*.ext ./*.srl
    chmod 600 ./*.key broker-keystore.pem
  ) >"$d.log" 2>&1 || { cat "$d.log" >&2; die "making the development TLS certificates failed (output above)."; }
  rm -f "$d.log"
  rm -rf "$KAFKA_TLS_DIR" && mv "$d" "$KAFKA_TLS_DIR"
}

# The SCRAM credential of the development user, in the syntax of both
# StorageTool format --add-scram and ConfigCommand --add-config.
kafka_dev_scram() { echo "SCRAM-SHA-512=[name=$KAFKA_SASL_DEV_USER,password=$KAFKA_SASL_DEV_PASSWORD]"; }

# A Kafka Uuid: 16 random bytes, URL-safe base64 without padding; like
# Uuid.randomUuid() we avoid a leading '-', which command lines would misread.
kafka_uuid() {
  local u
  while :; do
    u=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [ "${u:0:1}" != "-" ] && { echo "$u"; return; }
  done
}

write_kafka_properties() {
  local n=$1 id=$2 node_dir=$3
  local rf=1 min_isr=1 voters=() i
  if [ "$n" -ge 3 ]; then rf=3; min_isr=2; fi
  for i in $(seq 1 "$n"); do voters+=("$HOST:$(kafka_controller_port "$i")"); done
  cat >"$node_dir/server.properties" <<EOF
# Generated by infra/local/infra.sh for a local $n-node KRaft cluster; edits are overwritten.
process.roles=broker,controller
node.id=$id
listeners=PLAINTEXT://$HOST:$(kafka_client_port "$id"),SASL_PLAINTEXT://$HOST:$(kafka_sasl_port "$id"),SSL://$HOST:$(kafka_ssl_port "$id"),CONTROLLER://$HOST:$(kafka_controller_port "$id")
advertised.listeners=PLAINTEXT://$HOST:$(kafka_client_port "$id"),SASL_PLAINTEXT://$HOST:$(kafka_sasl_port "$id"),SSL://$HOST:$(kafka_ssl_port "$id")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=$(IFS=,; echo "${voters[*]}")
log.dirs=$node_dir/data

# SASL_PLAINTEXT: tests and local runs of the services' KAFKA_SASL_* settings.
# DEVELOPMENT-ONLY user and password, in this file and in the cluster metadata
# (SCRAM, added at format). No authorizer: any authenticated user may do anything.
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_DEV_USER="$KAFKA_SASL_DEV_PASSWORD";
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;

# SSL: mutual TLS for tests of the services' KAFKA_SSL_* settings, with the
# DEVELOPMENT-ONLY certificates of $KAFKA_TLS_DIR (a client certificate signed
# by its CA is required; the principal is the certificate's subject).
listener.name.ssl.ssl.keystore.type=PEM
listener.name.ssl.ssl.keystore.location=$KAFKA_TLS_DIR/broker-keystore.pem
listener.name.ssl.ssl.truststore.type=PEM
listener.name.ssl.ssl.truststore.location=$KAFKA_TLS_DIR/ca.crt
listener.name.ssl.ssl.client.auth=required

# Durability as in production (DESIGN.md), scaled to the node count: internal
# topics must not ask for more replicas than there are brokers.
default.replication.factor=$rf
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
unclean.leader.election.enable=false
auto.create.topics.enable=false
num.partitions=1

# Fast tests: no initial rebalance delay, small internal topics, short minimum
# session timeouts (clients choose their own within the bounds).
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
offsets.topic.num.partitions=8
transaction.state.log.num.partitions=8
share.coordinator.state.topic.num.partitions=4

# A laptop, not a server.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF
}

# format every node of an n-node cluster once (a node dir with meta.properties is formatted).
ensure_kafka_formatted() {
  local n=$1 cluster_dir="$KAFKA_DIR/cluster-$n" i
  mkdir -p "$cluster_dir"
  [ -s "$cluster_dir/cluster.id" ] || kafka_uuid >"$cluster_dir/cluster.id"
  local cluster_id; cluster_id=$(cat "$cluster_dir/cluster.id")
  local controllers=()
  for i in $(seq 1 "$n"); do
    local node_dir="$cluster_dir/node-$i"
    mkdir -p "$node_dir"
    [ -s "$node_dir/directory.id" ] || kafka_uuid >"$node_dir/directory.id"
    controllers+=("$i@$HOST:$(kafka_controller_port "$i"):$(cat "$node_dir/directory.id")")
    write_kafka_properties "$n" "$i" "$node_dir"
  done
  ensure_kafka_tls
  for i in $(seq 1 "$n"); do
    local node_dir="$cluster_dir/node-$i"
    [ -f "$node_dir/data/meta.properties" ] && continue
    local quorum=(--standalone)
    [ "$n" -gt 1 ] && quorum=(--initial-controllers "$(IFS=,; echo "${controllers[*]}")")
    say "formatting Kafka node $i of $n (cluster $cluster_id)…"
    rm -rf "$node_dir/data"
    mkdir -p "$LOG_DIR/kafka-$i"
    if ! java -cp "$LIBS_DIR/*" -Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR/kafka-$i" \
      kafka.tools.StorageTool format --config "$node_dir/server.properties" --cluster-id "$cluster_id" "${quorum[@]}" \
      --add-scram "$(kafka_dev_scram)" \
      >"$LOG_DIR/kafka-$i/format.log" 2>&1; then
      cat "$LOG_DIR/kafka-$i/format.log" >&2
      die "formatting Kafka node $i failed (output above)."
    fi
    # With --initial-controllers the metadata dir must carry the directory id named in the quorum.
    if [ "$n" -gt 1 ] && ! grep -q "directory.id=$(cat "$node_dir/directory.id")" "$node_dir/data/meta.properties"; then
      die "Kafka node $i was formatted with a directory id other than $(cat "$node_dir/directory.id")."
    fi
    touch "$cluster_dir/scram-dev-user"
  done
}

# A cluster formatted before the SASL listener existed has no SCRAM user: add
# it once, through the running cluster (the PLAIN user needs nothing: it lives
# in server.properties, regenerated on every up).
ensure_kafka_scram_user() {
  local n=$1 cluster_dir="$KAFKA_DIR/cluster-$n"
  [ -f "$cluster_dir/scram-dev-user" ] && return 0
  say "adding the development SCRAM-SHA-512 user '$KAFKA_SASL_DEV_USER' (cluster formatted before the SASL listener)…"
  if ! java -cp "$LIBS_DIR/*" -Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR/kafka-1" \
    org.apache.kafka.tools.ConfigCommand --bootstrap-server "$(kafka_brokers_list "$n")" --alter \
    --entity-type users --entity-name "$KAFKA_SASL_DEV_USER" --add-config "$(kafka_dev_scram | sed 's/name=[^,]*,//')" \
    >"$LOG_DIR/kafka-1/scram-user.log" 2>&1; then
    cat "$LOG_DIR/kafka-1/scram-user.log" >&2
    die "adding the SCRAM user failed (output above)."
  fi
  touch "$cluster_dir/scram-dev-user"
}

start_kafka_node() {
  local n=$1 i=$2 node_dir="$KAFKA_DIR/cluster-$n/node-$i"
  mkdir -p "$LOG_DIR/kafka-$i"
  say "starting Kafka node $i on $HOST:$(kafka_client_port "$i") (controller $(kafka_controller_port "$i")), logs in $LOG_DIR/kafka-$i/"
  launch "kafka-$i" "$LOG_DIR/kafka-$i/stdout.log" \
    java "-Xms${KAFKA_HEAP}" "-Xmx${KAFKA_HEAP}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR/kafka-$i" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$node_dir/server.properties"
}

kafka_running_count() { [ -s "$RUN_DIR/kafka.nodes" ] && cat "$RUN_DIR/kafka.nodes" || echo 0; }

kafka_node_alive() { alive "kafka-$1" "kafka.Kafka $KAFKA_DIR/cluster-"; }

up_kafka() {
  local n=$1 i started=0
  local running; running=$(kafka_running_count)
  if [ "$running" != 0 ] && [ "$running" != "$n" ]; then
    for i in $(seq 1 "$running"); do
      kafka_node_alive "$i" && die_env "Kafka runs with $running node(s), not $n: run 'infra.sh down' first."
    done
  fi
  ensure_kafka_formatted "$n"
  echo "$n" >"$RUN_DIR/kafka.nodes"
  for i in $(seq 1 "$n"); do
    kafka_node_alive "$i" && continue
    local port; port=$(kafka_client_port "$i")
    port_busy "$port" && die_env "port $port is in use by a process this checkout did not start (another checkout's infra?); set AUDITSEAL_KAFKA_PORT to another base port."
    port_busy "$(kafka_controller_port "$i")" && die_env "port $(kafka_controller_port "$i") is in use; set AUDITSEAL_KAFKA_CONTROLLER_PORT to another base port."
    port_busy "$(kafka_sasl_port "$i")" && die_env "port $(kafka_sasl_port "$i") (SASL listener) is in use; set AUDITSEAL_KAFKA_SASL_PORT to another base port."
    port_busy "$(kafka_ssl_port "$i")" && die_env "port $(kafka_ssl_port "$i") (SSL listener) is in use; set AUDITSEAL_KAFKA_SSL_PORT to another base port."
    start_kafka_node "$n" "$i"
    started=1
  done
  local brokers; brokers=$(kafka_brokers_list "$n")
  if [ $started = 0 ]; then
    node "$HERE/probe.mjs" kafka "$brokers" "$n" 10000 && { ensure_kafka_scram_user "$n"; say "Kafka already running ($brokers)"; return 0; }
  fi
  say "waiting for Kafka ($brokers)…"
  local deadline=$((SECONDS + 180))
  while ! node "$HERE/probe.mjs" kafka "$brokers" "$n" 5000 2>/dev/null; do
    for i in $(seq 1 "$n"); do
      if ! kafka_node_alive "$i"; then
        tail -n 40 "$LOG_DIR/kafka-$i/server.log" "$LOG_DIR/kafka-$i/stdout.log" >&2 2>/dev/null || true
        die "Kafka node $i exited during startup (logs above, full logs in $LOG_DIR/kafka-$i/)."
      fi
    done
    if [ $SECONDS -ge $deadline ]; then
      node "$HERE/probe.mjs" kafka "$brokers" "$n" 1000 || true
      die "Kafka did not answer within 180s; see $LOG_DIR/kafka-*/server.log"
    fi
  done
  ensure_kafka_scram_user "$n"
  say "Kafka ready ($brokers; SASL PLAIN and SCRAM-SHA-512 on $(kafka_sasl_brokers_list "$n"); mutual TLS on $(kafka_ssl_brokers_list "$n"))"
}

# ---------------------------------------------------------------- versitygw

versitygw_alive() { alive versitygw "$VERSITYGW"; }

# versitygw keeps object metadata (Object Lock, checksums, ETags) in xattrs and
# refuses to start ("xattr check failed") on a filesystem without them; there
# it needs --sidecar. The choice is recorded: switching it would orphan metadata.
s3_metadata_args() {
  case "$(cat "$S3_DIR/metadata-mode" 2>/dev/null || echo xattr)" in
    sidecar) echo "--sidecar $S3_SIDECAR_DIR" ;;
    *) echo "" ;;
  esac
}

start_versitygw() {
  mkdir -p "$S3_OBJECTS_DIR" "$S3_VERSIONS_DIR" "$S3_SIDECAR_DIR" "$LOG_DIR"
  local log="$LOG_DIR/versitygw.log"
  # Root credentials through the environment, not the command line (ps).
  # shellcheck disable=SC2046 # the metadata args are two words by design
  launch versitygw "$log" env ROOT_ACCESS_KEY="$S3_ACCESS_KEY_ID" ROOT_SECRET_KEY="$S3_SECRET_ACCESS_KEY" \
    "$VERSITYGW" --port "$HOST:$S3_PORT" --region "$S3_REGION" --quiet \
    posix --versioning-dir "$S3_VERSIONS_DIR" $(s3_metadata_args) "$S3_OBJECTS_DIR"
}

up_s3() {
  local endpoint="http://$HOST:$S3_PORT"
  export S3_REGION S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY
  if versitygw_alive; then
    if node "$HERE/probe.mjs" s3 "$endpoint" "$S3_BUCKET" 10000; then say "S3 gateway already running ($endpoint)"; return 0; fi
    die "versitygw runs (pid $(pid_of versitygw)) but does not answer at $endpoint; run 'infra.sh down' and try again (log: $LOG_DIR/versitygw.log)."
  fi
  port_busy "$S3_PORT" && die_env "port $S3_PORT is in use by a process this checkout did not start (another checkout's infra?); set AUDITSEAL_S3_PORT to another port."
  say "starting versitygw $VERSITYGW_VERSION on $endpoint, objects in $S3_OBJECTS_DIR, log in $LOG_DIR/versitygw.log"
  local log_start
  log_start=0
  [ -f "$LOG_DIR/versitygw.log" ] && log_start=$(wc -c <"$LOG_DIR/versitygw.log")
  start_versitygw
  local i
  for i in $(seq 1 50); do { versitygw_alive && ! port_busy "$S3_PORT"; } || break; sleep 0.1; done
  if ! versitygw_alive && [ ! -f "$S3_DIR/metadata-mode" ] \
    && tail -c +"$((log_start + 1))" "$LOG_DIR/versitygw.log" | grep -q "xattr check failed"; then
    say "the filesystem of $S3_OBJECTS_DIR has no user xattrs: using versitygw --sidecar $S3_SIDECAR_DIR"
    echo sidecar >"$S3_DIR/metadata-mode"
    start_versitygw
  fi
  [ -f "$S3_DIR/metadata-mode" ] || echo xattr >"$S3_DIR/metadata-mode"
  local rc=0
  node "$HERE/probe.mjs" s3 "$endpoint" "$S3_BUCKET" 60000 || rc=$?
  if [ $rc -ne 0 ]; then
    versitygw_alive || tail -n 40 "$LOG_DIR/versitygw.log" >&2
    [ $rc -eq 2 ] && exit 2
    die "versitygw did not answer at $endpoint within 60s (log: $LOG_DIR/versitygw.log)."
  fi
  say "S3 ready ($endpoint, bucket $S3_BUCKET with Object Lock)"
}

# ---------------------------------------------------------------- commands

# export_line NAME VALUE: a line a shell can eval; single quotes only when needed.
export_line() {
  local value=$2
  if [[ ! $value =~ ^[A-Za-z0-9_./:,@%+=-]*$ ]]; then value="'${value//\'/\'\\\'\'}'"; fi
  printf 'export %s=%s\n' "$1" "$value"
}

env_lines() {
  local n; n=$(kafka_running_count)
  [ "$n" = 0 ] && n=1
  export_line KAFKA_BROKERS "$(kafka_brokers_list "$n")"
  export_line AUDITSEAL_KAFKA_SASL_BROKERS "$(kafka_sasl_brokers_list "$n")"
  export_line AUDITSEAL_KAFKA_SASL_USERNAME "$KAFKA_SASL_DEV_USER"
  export_line AUDITSEAL_KAFKA_SASL_PASSWORD "$KAFKA_SASL_DEV_PASSWORD"
  export_line AUDITSEAL_KAFKA_SSL_BROKERS "$(kafka_ssl_brokers_list "$n")"
  export_line AUDITSEAL_KAFKA_SSL_CA_FILE "$KAFKA_TLS_DIR/ca.crt"
  export_line AUDITSEAL_KAFKA_SSL_CERT_FILE "$KAFKA_TLS_DIR/client.crt"
  export_line AUDITSEAL_KAFKA_SSL_KEY_FILE "$KAFKA_TLS_DIR/client.key"
  export_line S3_ENDPOINT "http://$HOST:$S3_PORT"
  export_line S3_REGION "$S3_REGION"
  export_line S3_ACCESS_KEY_ID "$S3_ACCESS_KEY_ID"
  export_line S3_SECRET_ACCESS_KEY "$S3_SECRET_ACCESS_KEY"
  export_line S3_BUCKET "$S3_BUCKET"
  export_line LOCAL_S3_DATA_DIR "$S3_OBJECTS_DIR"
}

# The ports of a running infra win over the environment of a later command, so
# `env`, `status` and `down` describe what actually runs.
load_state() {
  [ -s "$RUN_DIR/ports" ] || return 0
  # shellcheck disable=SC1091
  . "$RUN_DIR/ports"
  # State written before the SASL listener existed: its default offset.
  grep -q '^KAFKA_SASL_PORT=' "$RUN_DIR/ports" || KAFKA_SASL_PORT=$((KAFKA_PORT + 10))
  grep -q '^KAFKA_SSL_PORT=' "$RUN_DIR/ports" || KAFKA_SSL_PORT=$((KAFKA_PORT + 20))
}

save_state() {
  printf 'KAFKA_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\nKAFKA_SASL_PORT=%s\nKAFKA_SSL_PORT=%s\nS3_PORT=%s\n' "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT" "$KAFKA_SSL_PORT" "$S3_PORT" >"$RUN_DIR/ports"
}

any_running() {
  local i
  versitygw_alive && return 0
  for i in $(seq 1 "$(kafka_running_count)"); do kafka_node_alive "$i" && return 0; done
  return 1
}

lock() {
  mkdir -p "$RUN_DIR"
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$RUN_DIR/.lock"
  flock -w 600 9 || die "another infra.sh holds $RUN_DIR/.lock for more than 10 minutes."
}

cmd_up() {
  local n="" kafka_only=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --brokers) n=${2:-}; shift 2 || usage ;;
      --brokers=*) n=${1#--brokers=}; shift ;;
      --kafka-only) kafka_only=1; shift ;;
      *) usage ;;
    esac
  done
  case "$n" in "" | 1 | 3) ;; *) die_env "--brokers must be 1 or 3 (got '$n')." ;; esac
  lock
  # Without --brokers, keep the node count of a cluster that runs.
  if [ -z "$n" ]; then
    n=$(kafka_running_count)
    [ "$n" = 0 ] && n=1
  fi
  # Everything that can be missing is fetched or built before anything starts,
  # so a missing tool stops `up` without leaving half the infra running.
  require_java
  require_openssl
  ensure_node_modules
  ensure_kafka_libs
  [ $kafka_only = 1 ] || ensure_versitygw
  if any_running; then load_state; fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  save_state
  up_kafka "$n"
  [ $kafka_only = 1 ] || up_s3
  say "up. Use: eval \"\$(npm run -s infra:env)\""
}

cmd_down() {
  local purge=0
  case "${1:-}" in
    --purge) purge=1 ;;
    "") ;;
    *) usage ;;
  esac
  lock
  load_state
  local pids=() name pid
  for name in versitygw $(ls "$RUN_DIR" 2>/dev/null | sed -n 's/^\(kafka-[0-9]*\)\.pid$/\1/p'); do
    pid=$(pid_of "$name")
    local marker="kafka.Kafka $KAFKA_DIR/cluster-"
    [ "$name" = versitygw ] && marker=$VERSITYGW
    if alive "$name" "$marker"; then
      say "stopping $name (pid $pid)"
      terminate "$pid"
      pids+=("$pid")
    fi
  done
  # A Kafka node shuts down cleanly in a few seconds; a 3-node cluster losing
  # its quorum can hang in controlled shutdown, hence the SIGKILL fallback.
  [ ${#pids[@]} -gt 0 ] && wait_gone 45 "${pids[@]}"
  rm -f "$RUN_DIR"/*.pid "$RUN_DIR/kafka.nodes" "$RUN_DIR/ports"
  [ ${#pids[@]} -gt 0 ] || say "nothing was running"
  if [ $purge = 1 ]; then
    say "deleting data: $KAFKA_DIR/cluster-*, $S3_DIR, $LOG_DIR (keeping the jars and binaries)"
    rm -rf "$KAFKA_DIR"/cluster-* "$S3_DIR" "$LOG_DIR"
  fi
  say "down"
}

cmd_install() {
  lock
  require_java
  ensure_node_modules
  ensure_kafka_libs
  ensure_versitygw
  say "installed: Kafka $KAFKA_VERSION jars in $LIBS_DIR, versitygw $VERSITYGW_VERSION in $BIN_DIR"
}

cmd_env() {
  load_state
  env_lines
}

cmd_status() {
  load_state
  local n i rc=0; n=$(kafka_running_count)
  if [ "$n" = 0 ]; then echo "kafka: stopped"; rc=3; fi
  for i in $(seq 1 "$n"); do
    if kafka_node_alive "$i"; then
      echo "kafka node $i: running (pid $(pid_of "kafka-$i")) on $HOST:$(kafka_client_port "$i"), SASL $(kafka_sasl_port "$i"), SSL $(kafka_ssl_port "$i"), controller $(kafka_controller_port "$i"), data $KAFKA_DIR/cluster-$n/node-$i/data"
    else
      echo "kafka node $i: stopped"; rc=3
    fi
  done
  if versitygw_alive; then
    echo "s3 (versitygw): running (pid $(pid_of versitygw)) on http://$HOST:$S3_PORT, objects $S3_OBJECTS_DIR, metadata $(cat "$S3_DIR/metadata-mode" 2>/dev/null || echo xattr)"
  else
    echo "s3 (versitygw): stopped"; rc=3
  fi
  echo "folder: $LOCAL_DIR (logs in $LOG_DIR)"
  return $rc
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    install) [ $# -eq 0 ] || usage; cmd_install ;;
    down) cmd_down "$@" ;;
    env) [ $# -eq 0 ] || usage; cmd_env ;;
    status) [ $# -eq 0 ] || usage; cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
