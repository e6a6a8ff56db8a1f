package report

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// The docs screenshot: `make screenshot` renders a bundled capture's
// report with ipsreplay and points these flags at it.
var (
	screenshotHTML = flag.String("screenshot-html", "", "TestHTMLScreenshot: the HTML report to photograph")
	screenshotPNG  = flag.String("screenshot", "", "TestHTMLScreenshot: where to write the PNG")
)

// The strings an attacker would put in a rule's msg or an HTTP request to
// run script in a responder's browser.
const (
	xssScript = `<script>window.__xss=1</script>`
	xssImg    = `"><img src=x onerror="window.__xss=2">`
)

// xssResult is richResult with the attack strings everywhere a packet, a
// rule or a file name puts text, and the block events the timeline draws
// bars from.
func xssResult() *analyzer.Result {
	r := richResult()
	both := xssScript + xssImg
	r.Files[0].Path = "captures/" + xssImg + ".pcap"
	for i := range r.Signatures {
		s := &r.Signatures[i]
		if s.SID == 9000004 {
			s.Name, s.Description, s.Category = both, both, xssImg
			s.FirstPacket.File = r.Files[0].Path
		}
	}
	for i := range r.Alerts {
		a := &r.Alerts[i]
		if a.SID == 9000004 {
			a.Name, a.Kind = both, xssImg
			a.Detail = "rule local.rules:1 matched: " + both + " GET /" + xssImg + " User-Agent: " + xssScript
			a.FirstPacket.File = r.Files[0].Path
		}
	}
	r.Signatures[3].CVEs = append(r.Signatures[3].CVEs, xssImg)
	r.Signatures[3].Advice = xssScript
	r.FalsePositives[0].Evidence = append(r.FalsePositives[0].Evidence, both)
	r.FalsePositives[0].Exclusion = "10.0.0.50 # " + both
	r.Investigate[0].Reason = both
	r.Warnings = append(r.Warnings, both)
	r.Summary.Packs = []string{both + " 1.0"}
	r.Summary.RulesSkippedReasons = []analyzer.ReasonCount{{Reason: "unsupported keyword " + xssImg, Count: 1}}
	for _, b := range r.Blocks {
		r.Events = append(r.Events, analyzer.Event{Type: analyzer.EventBlock, Time: b.FirstBlock, Host: b.Host,
			Until: analyzer.TimeOf(b.FirstBlock.Add(10 * time.Minute)), SID: b.SIDs[0]})
	}
	return r
}

// findChromium returns a Chromium or Chrome on PATH, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium, chromium-browser or google-chrome in PATH: the HTML report is not checked in a browser (apt-get install chromium)")
	return ""
}

// browser starts a headless Chromium that reaches nothing on the network,
// with a fresh profile, and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findChromium(t)),
		chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	if os.Geteuid() == 0 {
		// Chromium refuses to start as root with its sandbox on
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", findChromium(t), err)
	}
	return ctx
}

// loadPage opens path in the browser and returns a function that stops
// listening and returns what the page wrote to the console: errors,
// exceptions and the browser's own log entries (a Content-Security-Policy
// violation, a failed load).
func loadPage(t *testing.T, ctx context.Context, path string) func() []chromedp.ConsoleMessage {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	listen, stop := context.WithCancel(ctx)
	var (
		mu   sync.Mutex
		msgs []chromedp.ConsoleMessage
		done = make(chan struct{})
	)
	messages := chromedp.Console(listen)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m)
			mu.Unlock()
		}
	}()
	run, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(run, chromedp.Navigate("file://"+abs), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("loading %s: %v", abs, err)
	}
	return func() []chromedp.ConsoleMessage {
		// let anything the load queued reach the console first
		time.Sleep(200 * time.Millisecond)
		stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return msgs
	}
}

// eval runs expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expression string) T {
	t.Helper()
	run, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(run, chromedp.Evaluate[T](expression))
	if err != nil {
		t.Fatalf("%s: %v", expression, err)
	}
	return v
}

// ranNothing checks that no string of the report became an element or
// ran: window.__xss is what the attack strings set, the page draws no
// img, and its only scripts are the filter and the alerts' data blocks.
func ranNothing(t *testing.T, ctx context.Context) {
	t.Helper()
	if got := eval[string](t, ctx, `typeof window.__xss`); got != "undefined" {
		t.Errorf("window.__xss is %s: a string from the report ran as script", got)
	}
	if got := eval[int](t, ctx, `document.querySelectorAll("img").length`); got != 0 {
		t.Errorf("the page has %d img elements; it draws none, so they came from the data", got)
	}
	if got := eval[int](t, ctx, `document.scripts.length - document.querySelectorAll('script[type="application/json"]').length`); got != 1 {
		t.Errorf("the page has %d script elements besides its data blocks, want 1: the filter", got)
	}
}

// noConsoleTrouble fails on any error, warning or exception the page gave.
func noConsoleTrouble(t *testing.T, msgs []chromedp.ConsoleMessage) {
	t.Helper()
	for _, m := range msgs {
		if m.IsException() || m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning {
			t.Errorf("console %s (%s:%d)", m, m.URL, m.Line)
		}
	}
}

// TestHTMLInBrowser loads a report from a file:// URL in headless
// Chromium: it loads without console errors, draws a mark per alert and a
// row per attacker, filters the alerts, and shows the attack strings from
// rules and packets as text without running them.
func TestHTMLInBrowser(t *testing.T) {
	ctx := browser(t)
	r := xssResult()
	var page bytes.Buffer
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	console := loadPage(t, ctx, path)

	if got := eval[int](t, ctx, `document.querySelectorAll("svg circle.mark").length`); got != len(r.Alerts) {
		t.Errorf("timeline has %d alert marks, want %d", got, len(r.Alerts))
	}
	if got := eval[int](t, ctx, `document.querySelectorAll("svg rect.block").length`); got != len(r.Blocks) {
		t.Errorf("timeline has %d block bars, want %d", got, len(r.Blocks))
	}
	hosts := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("svg text.host"), e => e.firstChild.textContent)`)
	for _, a := range r.Alerts {
		if name := attackerName(a); !strings.Contains(strings.Join(hosts, "\n"), name) {
			t.Errorf("timeline rows %q lack attacker %s", hosts, name)
		}
	}

	ranNothing(t, ctx)
	text := eval[string](t, ctx, `document.body.innerText`)
	for _, s := range []string{xssScript, xssImg} {
		if !strings.Contains(text, s) {
			t.Errorf("the page does not show %q as text", s)
		}
	}

	// The filter: every alert row shows until words are typed.
	rows := `document.querySelectorAll("#r1-alerts tbody tr:not([hidden])").length`
	if got := eval[int](t, ctx, rows); got != len(r.Alerts) {
		t.Errorf("%d alert rows shown before filtering, want %d", got, len(r.Alerts))
	}
	run, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(run, chromedp.SendKeys("#r1 input.filter", "log4j 8080")); err != nil {
		t.Fatal(err)
	}
	if got := eval[int](t, ctx, rows); got != 1 {
		t.Errorf("%d alert rows shown for \"log4j 8080\", want 1", got)
	}
	eval[bool](t, ctx, `(document.querySelector("#r1 input.filter").value = "") === ""`)
	if err := chromedp.Do(run, chromedp.SendKeys("#r1 input.filter", "window.__xss=2")); err != nil {
		t.Fatal(err)
	}
	if got := eval[int](t, ctx, rows); got != 2 {
		t.Errorf("%d alert rows shown for an attack string, want the 2 that hold it", got)
	}
	if got := eval[string](t, ctx, `typeof window.__xss`); got != "undefined" {
		t.Errorf("window.__xss is %s after filtering", got)
	}

	png, err := chromedp.Run(run, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	noConsoleTrouble(t, console())
}

// TestHTMLScreenshot photographs the top of an HTML report for the docs:
// run by `make screenshot`, skipped otherwise.
func TestHTMLScreenshot(t *testing.T) {
	if *screenshotHTML == "" || *screenshotPNG == "" {
		t.Skip("no -screenshot-html and -screenshot: nothing to photograph (make screenshot)")
	}
	ctx := browser(t)
	console := loadPage(t, ctx, *screenshotHTML)
	run, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// the timeline, the signatures and the first alerts: what the report
	// adds to the table
	if err := chromedp.Do(run, chromedp.EmulateViewport(1200, 1000)); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, `(document.getElementById("r1-timeline").scrollIntoView(), true)`)
	png, err := chromedp.Run(run, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*screenshotPNG, png, 0o644); err != nil {
		t.Fatal(err)
	}
	ranNothing(t, ctx)
	noConsoleTrouble(t, console())
}
