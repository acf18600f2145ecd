package awsfake

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func init() {
	services["s3"] = &service{
		proto: restXML{},
		ops: map[string]operation{
			"ListObjectsV2": {fn: (*Server).s3List},
			"GetObject":     {fn: (*Server).s3Get},
			"HeadObject":    {fn: (*Server).s3Get},
			"PutObject":     {fn: (*Server).s3Put},
		},
		unknownOp: newError(http.StatusNotImplemented, "NotImplemented",
			"A header you provided implies functionality that is not "+
				"implemented"),
		badKey: newError(http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records."),
	}
}

// S3Options makes an S3 client talk to the fake: path-style addressing,
// as http://127.0.0.1:PORT/BUCKET/KEY. Pass it to s3.NewFromConfig.
func S3Options(o *s3.Options) { o.UsePathStyle = true }

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// bucket is an S3 bucket: objects by key.
type bucket struct {
	objects map[string]*object
	keys    []string // sorted
}

type object struct {
	data     []byte
	modified time.Time
	etag     string
}

// restXML is S3's protocol: XML documents and <Error> bodies.
type restXML struct{}

func (restXML) result(w http.ResponseWriter, q *request, v any) {
	if v == nil {
		writeRaw(w, q, &rawResponse{})
		return
	}
	writeXML(w, http.StatusOK, q, v, xml.StartElement{})
}

func (restXML) error(w http.ResponseWriter, q *request, e *apiError) {
	if q.r.Method == http.MethodHead {
		w.Header().Set("X-Amz-Request-Id", q.id)
		w.WriteHeader(e.Status)
		return
	}
	type errorXML struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		Key       string   `xml:"Key,omitempty"`
		RequestID string   `xml:"RequestId"`
	}
	writeXML(w, e.Status, q, errorXML{Code: e.Code, Message: e.Message,
		Key: q.params["Key"], RequestID: q.id}, xml.StartElement{})
}

// parseS3 reads a path-style request: /BUCKET/KEY.
func (q *request) parseS3() {
	path := strings.TrimPrefix(q.r.URL.Path, "/")
	bucketName, key, _ := strings.Cut(path, "/")
	query := q.r.URL.Query()
	q.params = formParams(query)
	delete(q.params, "x-id")
	if bucketName != "" {
		q.params["Bucket"] = bucketName
	}
	if key != "" {
		q.params["Key"] = key
	}
	q.op = s3Operation(q.r.Method, bucketName, key, query.Get("list-type"))
	if q.op == "PutObject" && q.err == nil {
		q.body, q.err = decodeChunked(q.r.Header, q.body)
	}
}

// s3Operation names the operation of a path-style request.
func s3Operation(method, bucketName, key, listType string) string {
	switch {
	case bucketName == "":
		return "ListBuckets"
	case key == "" && method == http.MethodGet && listType == "2":
		return "ListObjectsV2"
	case key == "":
		return method + "Bucket"
	case method == http.MethodGet:
		return "GetObject"
	case method == http.MethodHead:
		return "HeadObject"
	case method == http.MethodPut:
		return "PutObject"
	}
	return method + "Object"
}

// PutObject stores an object, creating the bucket when needed.
func (s *Server) PutObject(bucketName, key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putObject(bucketName, key, data)
}

// Object returns a stored object.
func (s *Server) Object(bucketName, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.s3[bucketName]
	if !ok {
		return nil, false
	}
	o, ok := b.objects[key]
	if !ok {
		return nil, false
	}
	return slices.Clone(o.data), true
}

// putObject stores an object. The caller holds s.mu.
func (s *Server) putObject(bucketName, key string, data []byte) *object {
	b, ok := s.s3[bucketName]
	if !ok {
		b = &bucket{objects: map[string]*object{}}
		s.s3[bucketName] = b
	}
	if _, ok := b.objects[key]; !ok {
		i, _ := slices.BinarySearch(b.keys, key)
		b.keys = slices.Insert(b.keys, i, key)
	}
	sum := md5.Sum(data)
	o := &object{data: slices.Clone(data), modified: s.now().UTC(),
		etag: `"` + hex.EncodeToString(sum[:]) + `"`}
	b.objects[key] = o
	return o
}

func errNoBucket(name string) *apiError {
	return newError(http.StatusNotFound, "NoSuchBucket",
		"The specified bucket does not exist: "+name)
}

func (s *Server) s3Get(q *request) (any, error) {
	b, ok := s.s3[q.params["Bucket"]]
	if !ok {
		return nil, errNoBucket(q.params["Bucket"])
	}
	o, ok := b.objects[q.params["Key"]]
	if !ok {
		return nil, newError(http.StatusNotFound, "NoSuchKey",
			"The specified key does not exist.")
	}
	h := http.Header{}
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(o.data)))
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.modified.Format(http.TimeFormat))
	body := o.data
	if q.op == "HeadObject" {
		body = nil
	}
	return &rawResponse{header: h, body: body}, nil
}

func (s *Server) s3Put(q *request) (any, error) {
	o := s.putObject(q.params["Bucket"], q.params["Key"], q.body)
	h := http.Header{}
	h.Set("ETag", o.etag)
	return &rawResponse{header: h}, nil
}

type (
	s3Object struct {
		Key          string `xml:"Key"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int    `xml:"Size"`
		StorageClass string `xml:"StorageClass"`
	}
	s3Prefix struct {
		Prefix string `xml:"Prefix"`
	}
	listResult struct {
		XMLName      xml.Name   `xml:"ListBucketResult"`
		NS           string     `xml:"xmlns,attr"`
		Name         string     `xml:"Name"`
		Prefix       string     `xml:"Prefix"`
		Delimiter    string     `xml:"Delimiter,omitempty"`
		StartAfter   string     `xml:"StartAfter,omitempty"`
		Token        string     `xml:"ContinuationToken,omitempty"`
		NextToken    string     `xml:"NextContinuationToken,omitempty"`
		KeyCount     int        `xml:"KeyCount"`
		MaxKeys      int        `xml:"MaxKeys"`
		IsTruncated  bool       `xml:"IsTruncated"`
		Contents     []s3Object `xml:"Contents"`
		CommonPrefix []s3Prefix `xml:"CommonPrefixes"`
	}
)

// s3List answers ListObjectsV2 with prefix, delimiter, start-after,
// continuation-token and max-keys.
func (s *Server) s3List(q *request) (any, error) {
	p := q.params
	b, ok := s.s3[p["Bucket"]]
	if !ok {
		return nil, errNoBucket(p["Bucket"])
	}
	res := &listResult{NS: s3Namespace, Name: p["Bucket"],
		Prefix: p["prefix"], Delimiter: p["delimiter"],
		StartAfter: p["start-after"], Token: p["continuation-token"],
		MaxKeys: 1000}
	if v, ok := p["max-keys"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, errInvalid("InvalidArgument", "max-keys is not valid")
		}
		res.MaxKeys = min(n, 1000)
	}
	after := res.StartAfter
	if res.Token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(res.Token)
		if err != nil {
			return nil, errInvalid("InvalidArgument",
				"The continuation token provided is incorrect")
		}
		after = string(raw)
	}
	s.fillList(res, b, after)
	return res, nil
}

// fillList adds the keys after the given one, up to MaxKeys entries.
func (s *Server) fillList(res *listResult, b *bucket, after string) {
	seen := map[string]bool{}
	start, _ := slices.BinarySearch(b.keys, after)
	for _, key := range b.keys[start:] {
		if key <= after || !strings.HasPrefix(key, res.Prefix) {
			continue
		}
		if res.KeyCount == res.MaxKeys {
			res.IsTruncated = true
			break
		}
		res.NextToken = base64.RawURLEncoding.EncodeToString([]byte(key))
		if cp, ok := commonPrefix(key, res.Prefix, res.Delimiter); ok {
			// Continue after every key under the prefix: no UTF-8 key
			// holds the byte 0xff.
			res.NextToken = base64.RawURLEncoding.EncodeToString(
				[]byte(cp + "\xff"))
			if !seen[cp] {
				seen[cp] = true
				res.CommonPrefix = append(res.CommonPrefix, s3Prefix{cp})
				res.KeyCount++
			}
			continue
		}
		o := b.objects[key]
		res.Contents = append(res.Contents, s3Object{Key: key,
			LastModified: o.modified.Format("2006-01-02T15:04:05.000Z"),
			ETag:         o.etag, Size: len(o.data), StorageClass: "STANDARD"})
		res.KeyCount++
	}
	if !res.IsTruncated {
		res.NextToken = ""
	}
}

// commonPrefix returns the rolled-up prefix of a key under a delimiter.
func commonPrefix(key, prefix, delim string) (string, bool) {
	if delim == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delim)], true
}
