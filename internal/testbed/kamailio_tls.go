package testbed

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// KamailioTLS adds a SIP-over-TLS listener ([Kamailio.TLSAddr]) with a
// certificate made for the test, valid for 127.0.0.1, localhost and the
// domain; clients trust it through [Kamailio.CACertPath].
func KamailioTLS() KamailioOption {
	return func(s *kamailioSettings) { s.tls = true }
}

// TLSAddr returns Kamailio's SIP TLS address, "127.0.0.1:PORT" (only
// with [KamailioTLS]).
func (k *Kamailio) TLSAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(k.tlsPort)) }

// CACertPath returns the PEM file of the certificate Kamailio's TLS
// listener presents (self-signed, so it is its own CA).
func (k *Kamailio) CACertPath() string { return filepath.Join(k.dir, "tls-cert.pem") }

// writeTLSFiles makes the certificate, its key and Kamailio's tls.cfg in
// the test's folder, once.
func (k *Kamailio) writeTLSFiles() (string, error) {
	cfgPath := filepath.Join(k.dir, "tls.cfg")
	if _, err := os.Stat(cfgPath); err == nil {
		return cfgPath, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("testbed: TLS key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "ringdesk testbed kamailio"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost", k.settings.domain},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", fmt.Errorf("testbed: TLS certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("testbed: TLS key: %w", err)
	}
	keyPath := filepath.Join(k.dir, "tls-key.pem")
	if err := os.WriteFile(k.CACertPath(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf("[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = %s\ncertificate = %s\n\n[client:default]\nverify_certificate = no\nrequire_certificate = no\n", keyPath, k.CACertPath())
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return "", err
	}
	return cfgPath, nil
}

// WSSURL returns the secure WebSocket URL for SIP over WSS (only with
// [KamailioTLS]): Kamailio's TLS listener also takes the WebSocket
// handshake, as its plain TCP listeners do.
func (k *Kamailio) WSSURL() string { return "wss://" + k.TLSAddr() + "/" }
