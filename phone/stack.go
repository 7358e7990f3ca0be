package phone

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// maxUDPMessage is the largest SIP message we send over UDP. sipgo
// refuses anything over 1,300 bytes (RFC 3261 §18.1.1 would switch a
// request that big to TCP, which an account configured for UDP does not
// have). A WebRTC description (ICE candidates, DTLS fingerprint, feedback
// lines) does not fit in that, and a UDP account answers WebRTC offers:
// like Asterisk and FreeSWITCH, we send the bigger datagram and let IP
// fragment it. sipgo reads datagrams of up to 32 kB.
const maxUDPMessage = 16 * 1024

func init() { sip.UDPMTUSize = maxUDPMessage + 200 }

// stack is one account's SIP transport and transaction layers: a sipgo
// user agent with its server (requests we receive) and client (requests we
// send). UDP accounts listen on one socket that also sends; connection
// accounts (TCP, TLS, WS, WSS) receive on the connection they opened to
// the server, as RFC 5626 flows do.
type stack struct {
	ua        *sipgo.UserAgent
	srv       *sipgo.Server
	client    *sipgo.Client
	transport string // lower case: udp, tcp, tls, ws, wss
	localIP   string
	udp       net.PacketConn
	log       *slog.Logger
	trace     func(direction, transport, remote, msg string)

	wg sync.WaitGroup
}

// newStack builds the stack for cfg. For UDP it binds its socket on
// localIP at once, so the Contact is known before anything is sent.
func newStack(cfg AccountConfig, target serverTarget, localIP string, s settings) (*stack, error) {
	st := &stack{transport: cfg.transport(), localIP: localIP, log: s.logger.With("account", cfg.ID), trace: s.sipTrace}
	tlsConf, err := tlsConfig(cfg, target.host)
	if err != nil {
		return nil, err
	}
	sipLog := st.log.With("component", "sipgo")
	path := target.path
	transports := sip.TransportsConfig{
		WS: &sip.TransportWS{DialURI: func(addr string) string { return "ws://" + addr + path }},
		WSS: &sip.TransportWSS{TransportWS: &sip.TransportWS{
			DialURI: func(addr string) string { return "wss://" + addr + path }}},
	}
	tlOpts := []sip.TransportLayerOption{
		sip.WithTransportLayerLogger(sipLog),
		sip.WithTransportLayerTransports(transports),
	}
	tlOpts = append(tlOpts, sip.WithTransportLayerReadFilter(func(p sip.TransportReadProps, data []byte) ([]byte, error) {
		if st.trace != nil && len(strings.TrimSpace(string(data))) > 0 {
			st.trace("recv", p.Transport, addrString(p.RemoteAddr), string(data))
		}
		if strings.EqualFold(p.Transport, "udp") {
			st.answerUnparsable(data, p.RemoteAddr)
		}
		return data, nil
	}))
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(s.userAgent),
		sipgo.WithUserAgentHostname(localIP),
		sipgo.WithUserAgenTLSConfig(tlsConf),
		sipgo.WithUserAgentTransportLayerOptions(tlOpts...),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(sipLog)),
	)
	if err != nil {
		return nil, fmt.Errorf("start the SIP stack: %w", err)
	}
	st.ua = ua
	st.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("start the SIP server: %w", err)
	}
	clientOpts := []sipgo.ClientOption{sipgo.WithClientLogger(sipLog), sipgo.WithClientHostname(localIP), sipgo.WithClientNAT()}
	if st.transport == "udp" {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(localIP, "0"))
		if err != nil {
			ua.Close()
			return nil, fmt.Errorf("open a UDP socket for SIP on %s: %w", localIP, err)
		}
		st.udp = pc
		clientOpts = append(clientOpts, sipgo.WithClientConnectionAddr(pc.LocalAddr().String()))
	}
	st.client, err = sipgo.NewClient(ua, clientOpts...)
	if err != nil {
		st.close()
		return nil, fmt.Errorf("start the SIP client: %w", err)
	}
	return st, nil
}

// serve starts reading the UDP socket; handlers must be set before.
func (st *stack) serve() {
	if st.udp == nil {
		return
	}
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		if err := st.srv.ServeUDP(st.udp); err != nil && !errors.Is(err, net.ErrClosed) {
			st.log.Debug("SIP UDP socket closed", "error", err)
		}
	}()
	// sipgo pools the socket from its serving goroutine; requests sent
	// before that would try to bind the address a second time.
	addr := st.udp.LocalAddr().String()
	for range 2000 {
		if c, err := st.ua.TransportLayer().GetConnection("udp", addr); err == nil {
			c.TryClose()
			return
		}
		time.Sleep(time.Millisecond)
	}
	st.log.Warn("the SIP UDP socket did not come up", "addr", addr)
}

func (st *stack) close() {
	if st.udp != nil {
		st.udp.Close()
	}
	if st.ua != nil {
		st.ua.Close()
	}
	st.wg.Wait()
}

// sipTransport is the transport name as Via and URIs spell it.
func (st *stack) sipTransport() string { return strings.ToUpper(st.transport) }

// reliable reports whether the transport retransmits for us.
func (st *stack) reliable() bool { return st.transport != "udp" }

// udpAddr returns the UDP socket's address.
func (st *stack) udpAddr() (string, int) {
	a := st.udp.LocalAddr().(*net.UDPAddr)
	return a.IP.String(), a.Port
}

// prepare sets where and how req goes. dest is "host:port", or empty to
// let the Route header or the Request-URI decide.
func (st *stack) prepare(req *sip.Request, dest string) {
	req.SetTransport(st.sipTransport())
	if dest != "" {
		req.SetDestination(dest)
	}
	if st.udp != nil {
		ip, port := st.udpAddr()
		req.Laddr = sip.Addr{IP: net.ParseIP(ip), Port: port, Hostname: ip}
	}
	if req.MaxForwards() == nil {
		mf := sip.MaxForwardsHeader(70)
		req.AppendHeader(&mf)
	}
	if req.GetHeader("User-Agent") == nil {
		req.AppendHeader(sip.NewHeader("User-Agent", st.ua.Name()))
	}
	if req.ContentLength() == nil {
		req.SetBody(req.Body())
	}
}

// request starts a client transaction for a fully built request (From,
// To, Call-ID, CSeq set by the caller); a Via is added here.
func (st *stack) request(ctx context.Context, req *sip.Request, dest string) (sip.ClientTransaction, error) {
	st.prepare(req, dest)
	tx, err := st.client.TransactionRequest(ctx, req, sipgo.ClientRequestAddVia)
	if err != nil {
		return nil, fmt.Errorf("send %s to %s: %w", req.Method, req.Destination(), err)
	}
	st.traceSent(req)
	return tx, nil
}

// write sends a request outside any transaction (ACK for a 2xx).
func (st *stack) write(req *sip.Request, dest string) error {
	st.prepare(req, dest)
	if req.Via() == nil {
		if err := sipgo.ClientRequestAddVia(st.client, req); err != nil {
			return err
		}
	}
	if err := st.client.WriteRequest(req, func(*sipgo.Client, *sip.Request) error { return nil }); err != nil {
		return fmt.Errorf("send %s to %s: %w", req.Method, req.Destination(), err)
	}
	st.traceSent(req)
	return nil
}

func (st *stack) traceSent(req *sip.Request) {
	if st.trace != nil {
		st.trace("send", st.transport, req.Destination(), req.String())
	}
}

// respond answers a server transaction and traces the response.
func (st *stack) respond(tx sip.ServerTransaction, res *sip.Response) error {
	if st.trace != nil {
		st.trace("send", st.transport, res.Destination(), res.String())
	}
	return tx.Respond(res)
}

// connection opens (or finds) the connection to dest for a connection
// transport and returns it with one reference held by the caller.
func (st *stack) connection(ctx context.Context, req *sip.Request) (sip.Connection, error) {
	st.prepare(req, req.Destination())
	if req.Via() == nil {
		if err := sipgo.ClientRequestAddVia(st.client, req); err != nil {
			return nil, err
		}
	}
	c, err := st.ua.TransportLayer().ClientRequestConnection(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("connect to %s over %s: %w", req.Destination(), st.sipTransport(), err)
	}
	return c, nil
}

// alive reports whether conn is still the pooled connection to addr.
func (st *stack) alive(conn sip.Connection, addr string) bool {
	pool := st.ua.TransportLayer().Pool(st.transport)
	if pool == nil {
		return false
	}
	c := pool.Get(addr)
	if c == nil {
		return false
	}
	c.TryClose()
	return c == conn
}

// crlfKeepAlive writes a double CRLF on a connection (RFC 5626 §4.4.1).
func crlfKeepAlive(conn sip.Connection) error {
	w, ok := conn.(io.Writer)
	if !ok {
		return nil
	}
	_, err := w.Write([]byte("\r\n\r\n"))
	return err
}

func tlsConfig(cfg AccountConfig, serverName string) (*tls.Config, error) {
	conf := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if cfg.CAFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("account %q: read the CA file: %w", cfg.ID, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("account %q: the CA file %s holds no PEM certificate", cfg.ID, cfg.CAFile)
	}
	conf.RootCAs = pool
	return conf, nil
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// localIPFor returns the local address the system would use to reach
// host:port (no packet is sent).
func localIPFor(hostPort string) (string, error) {
	c, err := net.Dial("udp", hostPort)
	if err != nil {
		return "", fmt.Errorf("find the local address towards %s: %w", hostPort, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String(), nil
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}
