// Command kube-control-plane runs a real etcd (embedded) and a real
// kube-apiserver in one process, for tests and local development.
//
// Configuration (flags win over environment):
//
//	--data-dir DIR  / TCP_DATA_DIR   where pki/, etcd/ and kubeconfig live (required)
//	--port N        / TCP_PORT       secure port on 127.0.0.1 (default: a free port)
//	TCP_WATCH_PARENT=1               exit (as on SIGTERM) when the parent process dies
//
// Any other arguments are passed to kube-apiserver after the defaults, so they
// override them (e.g. --v=4, --feature-gates=...). The kubeconfig is written to
// DIR/kubeconfig before the API server starts serving; wait for /readyz.
// SIGTERM or SIGINT shuts down kube-apiserver, then etcd, and exits 0.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // CronJob time zones, as upstream kube-apiserver

	"go.etcd.io/etcd/client/pkg/v3/logutil"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format, as upstream
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics, as upstream
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric, as upstream
	"k8s.io/component-base/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(run())
}

func run() int {
	dataDir, port, passthrough, err := parseArgs(os.Args[1:])
	if err != nil {
		return fail(err)
	}
	if strings.HasPrefix(version.Get().GitVersion, "v0.0.0") {
		fmt.Fprintln(os.Stderr, "kube-control-plane: warning: built without -ldflags -X k8s.io/component-base/version.gitVersion=...; /version reports v0.0.0 (build with `npx tsx scripts/cluster.ts build`)")
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return fail(err)
	}
	kubeconfig := filepath.Join(dataDir, "kubeconfig")
	// A kubeconfig left from an earlier run points at an old port: remove it so
	// that its presence means "this run".
	if err := os.Remove(kubeconfig); err != nil && !os.IsNotExist(err) {
		return fail(err)
	}

	p, err := ensurePKI(filepath.Join(dataDir, "pki"))
	if err != nil {
		return fail(fmt.Errorf("creating PKI in %s: %w", dataDir, err))
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return fail(err)
		}
	}
	etcdPort, err := freePort()
	if err != nil {
		return fail(err)
	}
	peerPort, err := freePort()
	if err != nil {
		return fail(err)
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	etcdURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", etcdPort)}

	// Built exactly once, and before etcd starts: constructing the command
	// installs the process-wide SIGTERM/SIGINT handler, so a signal that comes
	// while etcd is starting still ends in a clean shutdown.
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(append(apiserverArgs(p, port, etcdURL.String()), passthrough...))

	if os.Getenv("TCP_WATCH_PARENT") == "1" {
		go watchParent()
	}

	etcd, err := startEtcd(filepath.Join(dataDir, "etcd"), etcdURL, peerPort)
	if err != nil {
		return fail(fmt.Errorf("starting embedded etcd in %s: %w", filepath.Join(dataDir, "etcd"), err))
	}
	defer func() {
		// Closing embedded etcd logs "setting up serving ... failed: use of closed
		// network connection" at error level for each listener: expected, so muted.
		etcdLogLevel.SetLevel(zapcore.FatalLevel)
		etcd.Close()
	}()

	if err := writeKubeconfig(kubeconfig, server, p); err != nil {
		return fail(fmt.Errorf("writing %s: %w", kubeconfig, err))
	}
	fmt.Fprintf(os.Stderr, "kube-control-plane: %s serving on %s, etcd on %s, kubeconfig %s\n",
		version.Get().GitVersion, server, etcdURL.String(), kubeconfig)

	code := cli.Run(cmd) // blocks until SIGTERM/SIGINT (or a startup error)
	fmt.Fprintf(os.Stderr, "kube-control-plane: kube-apiserver exited with code %d; stopping etcd\n", code)
	return code
}

// apiserverArgs mirrors controller-runtime envtest's defaults, with a static
// admin token instead of client certificates.
func apiserverArgs(p *pki, port int, etcdServer string) []string {
	args := []string{
		"--etcd-servers=" + etcdServer,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + p.dir,
		"--tls-cert-file=" + p.servingCert,
		"--tls-private-key-file=" + p.servingKey,
		"--client-ca-file=" + p.caCert,
		"--token-auth-file=" + p.tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=" + fmt.Sprintf("https://127.0.0.1:%d/", port),
		"--service-account-key-file=" + p.saPub,
		"--service-account-signing-key-file=" + p.saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		// No controller-manager runs, so no default ServiceAccount would ever appear.
		"--disable-admission-plugins=ServiceAccount",
		"--profiling=false",
	}
	// kube-apiserver publishes its address in the `kubernetes` Endpoints and
	// refuses loopback; it picks the interface of the default route. Without a
	// default route, hand it a documentation-range address (RFC 5737) that is
	// only stored, never contacted.
	if !hasDefaultRoute() {
		args = append(args, "--advertise-address=198.51.100.1")
	}
	return args
}

// etcdLogLevel is etcd's log level: errors only while running, nothing on shutdown.
var etcdLogLevel = zap.NewAtomicLevelAt(zapcore.ErrorLevel)

func startEtcd(dir string, client url.URL, peerPort int) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.UnsafeNoFsync = true // test data: durability is not needed, speed is
	logCfg := logutil.DefaultZapLoggerConfig
	logCfg.Level = etcdLogLevel
	logger, err := logCfg.Build()
	if err != nil {
		return nil, err
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(logger)
	peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	// Restarting on kept data: the member's peer URL changed with the new free
	// port; --force-new-cluster rewrites the single-member membership.
	if _, err := os.Stat(filepath.Join(dir, "member")); err == nil {
		cfg.ForceNewCluster = true
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("etcd not ready after 60s")
	}
}

func parseArgs(args []string) (dataDir string, port int, rest []string, err error) {
	dataDir = os.Getenv("TCP_DATA_DIR")
	portStr := os.Getenv("TCP_PORT")
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		if name != "--data-dir" && name != "--port" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", 0, nil, fmt.Errorf("%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if name == "--data-dir" {
			dataDir = value
		} else {
			portStr = value
		}
	}
	if dataDir == "" {
		return "", 0, nil, fmt.Errorf("no data directory: pass --data-dir DIR or set TCP_DATA_DIR")
	}
	if portStr != "" {
		if port, err = strconv.Atoi(portStr); err != nil || port < 0 || port > 65535 {
			return "", 0, nil, fmt.Errorf("invalid port %q (from --port or TCP_PORT)", portStr)
		}
	}
	return dataDir, port, rest, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port on 127.0.0.1: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func hasDefaultRoute() bool {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return true // not Linux: let kube-apiserver decide
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 1 && fields[1] == "00000000" {
			return true
		}
	}
	return false
}

// watchParent turns the parent's death into our own SIGTERM, so a test runner
// that crashes does not leave a control plane behind.
func watchParent() {
	parent := os.Getppid()
	for range time.Tick(time.Second) {
		if os.Getppid() != parent {
			fmt.Fprintln(os.Stderr, "kube-control-plane: parent process exited; shutting down")
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
			return
		}
	}
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "kube-control-plane: %v\n", err)
	return 1
}
