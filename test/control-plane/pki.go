package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki holds the paths of the files kube-apiserver is pointed at, and the admin token.
type pki struct {
	dir         string
	caCert      string // CA that signed the serving certificate (also the client CA)
	servingCert string
	servingKey  string
	saPub       string // --service-account-key-file (PKIX public key)
	saKey       string // --service-account-signing-key-file (PKCS#8 private key)
	tokenFile   string // --token-auth-file
	adminToken  string
}

// ensurePKI creates (or reuses, when all files already exist) an ECDSA P-256 CA,
// a serving certificate for localhost/127.0.0.1/::1, a service-account signing key
// and a static token file whose only user is "admin" in group system:masters
// (which bypasses RBAC). Reusing keeps tokens signed in a previous run valid
// when the etcd data is kept too.
func ensurePKI(dir string) (*pki, error) {
	p := &pki{
		dir:         dir,
		caCert:      filepath.Join(dir, "ca.crt"),
		servingCert: filepath.Join(dir, "apiserver.crt"),
		servingKey:  filepath.Join(dir, "apiserver.key"),
		saPub:       filepath.Join(dir, "sa.pub"),
		saKey:       filepath.Join(dir, "sa.key"),
		tokenFile:   filepath.Join(dir, "tokens.csv"),
	}
	tokenPath := filepath.Join(dir, "admin.token")
	if allExist(p.caCert, p.servingCert, p.servingKey, p.saPub, p.saKey, p.tokenFile, tokenPath) {
		tok, err := os.ReadFile(tokenPath)
		if err != nil {
			return nil, err
		}
		p.adminToken = string(tok)
		return p, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}

	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "tenantctl-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}

	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}

	tokenBytes := make([]byte, 32)
	if _, err := rand.Read(tokenBytes); err != nil {
		return nil, err
	}
	p.adminToken = hex.EncodeToString(tokenBytes)

	caKeyDER, err := x509.MarshalPKCS8PrivateKey(caKey)
	if err != nil {
		return nil, err
	}
	srvKeyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return nil, err
	}
	saKeyDER, err := x509.MarshalPKCS8PrivateKey(saKey)
	if err != nil {
		return nil, err
	}
	saPubDER, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return nil, err
	}

	files := []struct {
		path string
		data []byte
	}{
		{p.caCert, pemBlock("CERTIFICATE", caDER)},
		{filepath.Join(dir, "ca.key"), pemBlock("PRIVATE KEY", caKeyDER)},
		{p.servingCert, pemBlock("CERTIFICATE", srvDER)},
		{p.servingKey, pemBlock("PRIVATE KEY", srvKeyDER)},
		{p.saKey, pemBlock("PRIVATE KEY", saKeyDER)},
		{p.saPub, pemBlock("PUBLIC KEY", saPubDER)},
		// token,user,uid,"group1,group2"
		{p.tokenFile, []byte(fmt.Sprintf("%s,admin,admin,\"system:masters\"\n", p.adminToken))},
		// Written last: its presence means the set is complete.
		{tokenPath, []byte(p.adminToken)},
	}
	for _, f := range files {
		if err := writeFileAtomic(f.path, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// writeKubeconfig writes a kubeconfig for the admin token. It is written to a
// temporary file and renamed so readers never see a partial file.
func writeKubeconfig(path, server string, p *pki) error {
	caPEM, err := os.ReadFile(p.caCert)
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: tenantctl-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: tenantctl-test
  context:
    cluster: tenantctl-test
    user: admin
    namespace: default
current-context: tenantctl-test
`, server, base64.StdEncoding.EncodeToString(caPEM), p.adminToken)
	return writeFileAtomic(path, []byte(cfg), 0o600)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n
}

func allExist(paths ...string) bool {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}
