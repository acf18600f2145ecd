package awsfake_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

const trailBucket = "org-trail"

func seedLogs(srv *awsfake.Server) []string {
	var keys []string
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		for day := 1; day <= 3; day++ {
			key := fmt.Sprintf("AWSLogs/o-a1b2c3d4e5/%s/CloudTrail/%s/"+
				"2025/03/%02d/log.json.gz", member, region, day)
			srv.PutObject(trailBucket, key, []byte("data of "+key))
			keys = append(keys, key)
		}
	}
	srv.PutObject(trailBucket, "AWSLogs/o-a1b2c3d4e5/"+member+
		"/CloudTrail-Digest/us-east-1/digest.json.gz", []byte("digest"))
	return keys
}

func s3Client(t *testing.T, srv *awsfake.Server) *s3.Client {
	t.Helper()
	return s3.NewFromConfig(srv.Config(t.Context()), awsfake.S3Options)
}

func TestS3ListPaginates(t *testing.T) {
	srv := awsfake.Start(t)
	want := seedLogs(srv)
	prefix := "AWSLogs/o-a1b2c3d4e5/" + member + "/CloudTrail/"
	p := s3.NewListObjectsV2Paginator(s3Client(t, srv), &s3.ListObjectsV2Input{
		Bucket: aws.String(trailBucket), Prefix: aws.String(prefix),
		MaxKeys: aws.Int32(4),
	})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if pages != 2 {
		t.Errorf("pages = %d, want 2", pages)
	}
}

func TestS3ListStartAfterAndDelimiter(t *testing.T) {
	srv := awsfake.Start(t)
	keys := seedLogs(srv)
	c := s3Client(t, srv)
	out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{
		Bucket: aws.String(trailBucket), StartAfter: aws.String(keys[4]),
		Prefix: aws.String("AWSLogs/o-a1b2c3d4e5/" + member + "/CloudTrail/"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != keys[5] {
		t.Errorf("start-after: got %d keys, want only %s", len(out.Contents), keys[5])
	}
	out, err = c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{
		Bucket: aws.String(trailBucket), Delimiter: aws.String("/"),
		Prefix: aws.String("AWSLogs/o-a1b2c3d4e5/" + member + "/"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	for _, p := range out.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	base := "AWSLogs/o-a1b2c3d4e5/" + member + "/"
	want := []string{base + "CloudTrail-Digest/", base + "CloudTrail/"}
	if diff := cmp.Diff(want, prefixes); diff != "" {
		t.Errorf("common prefixes (-want +got):\n%s", diff)
	}
}

func TestS3GetAndPut(t *testing.T) {
	srv := awsfake.Start(t)
	c := s3Client(t, srv)
	ctx := t.Context()
	body := bytes.Repeat([]byte("serial console "), 1000)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("reports"), Key: aws.String("a/b.json"),
		Body: bytes.NewReader(body),
	}); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Object("reports", "a/b.json"); !ok || !bytes.Equal(got, body) {
		t.Fatalf("stored object differs from the upload (%d bytes, ok %v)",
			len(got), ok)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("reports"), Key: aws.String("a/b.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil || !bytes.Equal(got, body) ||
		aws.ToInt64(out.ContentLength) != int64(len(body)) {
		t.Errorf("GetObject = %d bytes (length %d), %v; want %d",
			len(got), aws.ToInt64(out.ContentLength), err, len(body))
	}

	_, err = c.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("reports"), Key: aws.String("missing")})
	var nsk *s3types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("missing key: err %v, want NoSuchKey", err)
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String("nope")})
	var nsb *s3types.NoSuchBucket
	if !errors.As(err, &nsb) {
		t.Errorf("missing bucket: err %v, want NoSuchBucket", err)
	}
	calls := srv.CallsTo("GetObject")
	if len(calls) != 2 || calls[0].Params["Key"] != "a/b.json" ||
		calls[0].Params["Bucket"] != "reports" || calls[0].Service != "s3" {
		t.Errorf("GetObject calls = %+v", calls)
	}
}

func TestS3WithoutPathStyleOption(t *testing.T) {
	srv := awsfake.Start(t)
	srv.PutObject("b", "k", []byte("v"))
	// An IP endpoint makes the SDK address buckets by path on its own.
	out, err := s3.NewFromConfig(srv.Config(t.Context())).GetObject(
		t.Context(), &s3.GetObjectInput{Bucket: aws.String("b"),
			Key: aws.String("k")})
	if err != nil {
		if strings.Contains(err.Error(), "no such host") {
			t.Skip("SDK uses virtual-hosted addressing: set UsePathStyle")
		}
		t.Fatal(err)
	}
	out.Body.Close()
}
