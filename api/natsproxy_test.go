package api_test

import (
	"bytes"
	"net"
	"sync"
	"testing"
)

// natsProxy is a TCP proxy on loopback between the service and its NATS
// server, for the failures a clean shutdown does not show: a server that
// stops answering (a frozen process, a cut network), and a publish whose
// acknowledgement is lost after the server stored it.
type natsProxy struct {
	l      net.Listener
	target string

	mu    sync.Mutex
	mode  proxyMode
	conns map[net.Conn]bool
	cut   chan struct{} // closed when modeCutAtAck cut a connection
}

type proxyMode int

const (
	modeForward   proxyMode = iota
	modeBlackhole           // both directions are swallowed; connections stay open
	modeCutAtAck            // the first JetStream publish ack from the server cuts the connection instead of arriving
)

// pubAck is how a JetStream publish acknowledgement starts.
var pubAck = []byte(`{"stream":"JOURNAL","seq":`)

func startProxy(t *testing.T, target string) *natsProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &natsProxy{l: l, target: target, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() { l.Close(); p.closeAll() })
	return p
}

// URL is the proxy's nats:// URL.
func (p *natsProxy) URL() string { return "nats://" + p.l.Addr().String() }

// set switches the mode; leaving modeBlackhole closes every connection (its
// streams lost bytes), so that clients reconnect.
func (p *natsProxy) set(m proxyMode) {
	p.mu.Lock()
	was := p.mode
	p.mode = m
	if m == modeCutAtAck {
		p.cut = make(chan struct{})
	}
	p.mu.Unlock()
	if was == modeBlackhole && m != modeBlackhole {
		p.closeAll()
	}
}

func (p *natsProxy) current() proxyMode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

func (p *natsProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *natsProxy) accept() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go p.pipe(c, s, false)
		go p.pipe(s, c, true)
	}
}

// pipe copies from src to dst as the mode says; fromServer marks the
// direction that carries acks.
func (p *natsProxy) pipe(src, dst net.Conn, fromServer bool) {
	defer src.Close()
	defer dst.Close()
	buf := make([]byte, 64<<10)
	var tail []byte // the end of the previous chunk, for an ack split across two
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			switch p.current() {
			case modeBlackhole:
				continue
			case modeCutAtAck:
				if fromServer && bytes.Contains(append(tail, chunk...), pubAck) {
					p.mu.Lock()
					p.mode = modeForward
					close(p.cut)
					p.mu.Unlock()
					return // the deferred closes cut both sides; the ack never arrives
				}
			}
			tail = append(tail[:0], chunk[max(0, n-len(pubAck)):]...)
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
