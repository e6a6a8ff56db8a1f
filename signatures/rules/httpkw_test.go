package rules

import "testing"

func TestURILenParse(t *testing.T) {
	tests := []struct {
		val     string
		want    *Range
		raw     bool
		wantErr bool
	}{
		{"35", &Range{Op: RangeEq, Min: 35}, false, false},
		{">400", &Range{Op: RangeGt, Min: 400}, false, false},
		{"<100,norm", &Range{Op: RangeLt, Min: 100}, false, false},
		{"5<>10, raw", &Range{Op: RangeExclusive, Min: 5, Max: 10}, true, false},
		{"5,fast", nil, false, true},
		{"70000", nil, false, true},
		{"", nil, false, true},
	}
	for _, tt := range tests {
		text := `alert http any any -> any any (msg:"x"; urilen:` + tt.val + `; sid:1;)`
		r, skipped, err := Parse("t.rules", 1, text, DefaultVars())
		if tt.wantErr {
			if err == nil {
				t.Errorf("urilen:%s: no error", tt.val)
			}
			continue
		}
		if err != nil || skipped != nil {
			t.Errorf("urilen:%s: %v %+v", tt.val, err, skipped)
			continue
		}
		if *r.URILen != *tt.want || r.URILenRaw != tt.raw {
			t.Errorf("urilen:%s: %+v raw %v, want %+v raw %v", tt.val, *r.URILen, r.URILenRaw, *tt.want, tt.raw)
		}
	}
}

func TestFragBitsParse(t *testing.T) {
	tests := []struct {
		val     string
		want    *FragBits
		wantErr bool
	}{
		{"M", &FragBits{Mask: 1}, false},
		{" !M", &FragBits{Mask: 1, Mode: '!'}, false},
		{"M+", &FragBits{Mask: 1, Mode: '+'}, false},
		{"*MDR", &FragBits{Mask: 7, Mode: '*'}, false},
		{"+M+", nil, true},
		{"MM", nil, true},
		{"X", nil, true},
		{"", nil, true},
		{"!", nil, true},
	}
	for _, tt := range tests {
		text := `alert ip any any -> any any (msg:"x"; fragbits:` + tt.val + `; sid:1;)`
		r, skipped, err := Parse("t.rules", 1, text, DefaultVars())
		if tt.wantErr {
			if err == nil && skipped == nil {
				t.Errorf("fragbits:%s: no error", tt.val)
			}
			continue
		}
		if err != nil || skipped != nil {
			t.Errorf("fragbits:%s: %v %+v", tt.val, err, skipped)
			continue
		}
		if *r.FragBits != *tt.want {
			t.Errorf("fragbits:%s = %+v, want %+v", tt.val, *r.FragBits, *tt.want)
		}
	}
}

func TestBSizeParse(t *testing.T) {
	tests := []struct {
		opts    string
		want    []BufferSize
		wantErr bool
	}{
		{`dns.query; content:"google.com"; bsize:10;`, []BufferSize{{Buffer: BufferDNSQuery, Size: &Range{Op: RangeEq, Min: 10}}}, false},
		{`http.uri; bsize:<25; http.host; bsize:10<>100;`, []BufferSize{{Buffer: BufferHTTPURI, Size: &Range{Op: RangeLt, Min: 25}},
			{Buffer: BufferHTTPHost, Size: &Range{Op: RangeExclusive, Min: 10, Max: 100}}}, false},
		{`content:"x"; http_uri; bsize:>3;`, []BufferSize{{Buffer: BufferHTTPURI, Size: &Range{Op: RangeGt, Min: 3}}}, false},
		{`bsize:3;`, nil, true},
		{`content:"x"; bsize:3;`, nil, true},
		{`http.uri; bsize:3; bsize:4;`, nil, true},
		{`http.uri; bsize:x;`, nil, true},
	}
	for _, tt := range tests {
		text := `alert tcp any any -> any any (msg:"x"; ` + tt.opts + ` sid:1;)`
		r, skipped, err := Parse("t.rules", 1, text, DefaultVars())
		if tt.wantErr {
			if err == nil && skipped == nil {
				t.Errorf("%s: no error", tt.opts)
			}
			continue
		}
		if err != nil || skipped != nil {
			t.Errorf("%s: %v %+v", tt.opts, err, skipped)
			continue
		}
		if len(r.BSize) != len(tt.want) {
			t.Errorf("%s: %d bsize, want %d", tt.opts, len(r.BSize), len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if g := r.BSize[i]; g.Buffer != w.Buffer || *g.Size != *w.Size {
				t.Errorf("%s: bsize %d = %v %+v, want %v %+v", tt.opts, i, g.Buffer, *g.Size, w.Buffer, *w.Size)
			}
		}
	}
}

func TestFieldEqParse(t *testing.T) {
	tests := []struct {
		opts    string
		get     func(*Rule) *FieldEq
		want    FieldEq
		wantErr bool
	}{
		{"ack:0;", func(r *Rule) *FieldEq { return r.Ack }, FieldEq{}, false},
		{"seq:4294967295;", func(r *Rule) *FieldEq { return r.Seq }, FieldEq{Value: 1<<32 - 1}, false},
		{"window: !0;", func(r *Rule) *FieldEq { return r.Window }, FieldEq{Negated: true}, false},
		{`id:"666";`, func(r *Rule) *FieldEq { return r.IPID }, FieldEq{Value: 666}, false},
		{"icmp_id:666 ;", func(r *Rule) *FieldEq { return r.ICMPID }, FieldEq{Value: 666}, false},
		{"icmp_seq: 12;", func(r *Rule) *FieldEq { return r.ICMPSeq }, FieldEq{Value: 12}, false},
		{"id:65536;", nil, FieldEq{}, true},
		{"ack:!1;", nil, FieldEq{}, true},
		{"seq:4294967296;", nil, FieldEq{}, true},
		{"window:x;", nil, FieldEq{}, true},
		{"ack:1; ack:2;", nil, FieldEq{}, true},
	}
	for _, tt := range tests {
		text := `alert tcp any any -> any any (msg:"x"; ` + tt.opts + ` sid:1;)`
		r, skipped, err := Parse("t.rules", 1, text, DefaultVars())
		if tt.wantErr {
			if err == nil && skipped == nil {
				t.Errorf("%s: no error", tt.opts)
			}
			continue
		}
		if err != nil || skipped != nil {
			t.Errorf("%s: %v %+v", tt.opts, err, skipped)
			continue
		}
		if g := tt.get(r); g == nil || *g != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.opts, g, tt.want)
		}
	}
}

func TestResponseBuffersParse(t *testing.T) {
	tests := []struct {
		opts string
		want []Buffer
	}{
		{`file_data; content:"a";`, []Buffer{BufferFileData}},
		{`file.data; content:"a"; pkt_data; content:"b";`, []Buffer{BufferFileData, BufferPayload}},
		{`content:"200"; http_stat_code; content:"OK"; http_stat_msg;`, []Buffer{BufferHTTPStatCode, BufferHTTPStatMsg}},
		{`http.stat_code; content:"404"; http.stat_msg; content:"Not";`, []Buffer{BufferHTTPStatCode, BufferHTTPStatMsg}},
		{`content:"MZ"; http_server_body;`, []Buffer{BufferFileData}},
		{`http.response_body; content:"x"; http.response_line; content:"HTTP/1.1 200";`, []Buffer{BufferFileData, BufferHTTPResponseLine}},
		{`http_server; content:"nginx"; http.location; content:"/a"; http_content_len; content:"68";`, []Buffer{BufferHTTPServer, BufferHTTPLocation, BufferHTTPContentLen}},
		{`pcre:"/^2/S"; pcre:"/ok/Yi"; pcre:"/MZ/Q";`, []Buffer{BufferHTTPStatCode, BufferHTTPStatMsg, BufferFileData}},
	}
	for _, tt := range tests {
		text := `alert http any any -> any any (msg:"x"; flow:to_client; ` + tt.opts + ` sid:1;)`
		r, skipped, err := Parse("t.rules", 1, text, DefaultVars())
		if err != nil || skipped != nil {
			t.Errorf("%s: %v %+v", tt.opts, err, skipped)
			continue
		}
		var got []Buffer
		for _, m := range r.Matches {
			got = append(got, m.Buffer)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: buffers %v, want %v", tt.opts, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: buffers %v, want %v", tt.opts, got, tt.want)
				break
			}
		}
	}
}
