#include <doctest/doctest.h>

#include "mds/http.hpp"

using namespace pod::mds;

TEST_CASE("a GET arriving in pieces") {
  RequestParser p;
  CHECK(p.feed("GET /tok/acMetadata/v1/pod/uuid HT") == RequestParser::State::more);
  CHECK(p.feed("TP/1.1\r\nHost: 172.16.28.1:18112\r\nMetadata-Flavor: AppContainer\r\n") ==
        RequestParser::State::more);
  REQUIRE(p.feed("\r\n") == RequestParser::State::done);
  CHECK(p.request().method == "GET");
  CHECK(p.request().target == "/tok/acMetadata/v1/pod/uuid");
  CHECK(p.request().headers.at("metadata-flavor") == "AppContainer");
  CHECK(p.request().body.empty());
}

TEST_CASE("a POST body by Content-Length") {
  RequestParser p;
  CHECK(p.feed("POST /t/x HTTP/1.1\r\nContent-Length: 12\r\n\r\ncontent=a") == RequestParser::State::more);
  REQUIRE(p.feed("%2B") == RequestParser::State::done);
  CHECK(p.request().body == "content=a%2B");
}

TEST_CASE("malformed and oversized requests are refused with a status") {
  RequestParser a;
  CHECK(a.feed("NONSENSE\r\n\r\n") == RequestParser::State::bad);
  CHECK(a.error_status() == 400);
  RequestParser b;
  CHECK(b.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == RequestParser::State::bad);
  CHECK(b.error_status() == 501);
  RequestParser c;
  CHECK(c.feed("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n") == RequestParser::State::bad);
  CHECK(c.error_status() == 413);
  RequestParser d;
  CHECK(d.feed("GET / HTTP/1.1\r\nX: " + std::string(kMaxHeader, 'x')) == RequestParser::State::bad);
  CHECK(d.error_status() == 431);
  RequestParser e;
  CHECK(e.feed("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n") == RequestParser::State::bad);
}

TEST_CASE("forms decode + and %-escapes; a bad escape is an error") {
  auto f = parse_form("content=Old+MacDonald%21&uuid=abc&empty=&flag");
  REQUIRE(f);
  CHECK(f->at("content") == "Old MacDonald!");
  CHECK(f->at("uuid") == "abc");
  CHECK(f->at("empty").empty());
  CHECK(f->at("flag").empty());
  CHECK_FALSE(parse_form("content=%4"));
  CHECK_FALSE(parse_form("content=%zz"));
  CHECK(url_decode("a+b", false) == "a+b");
}

TEST_CASE("responses close the connection and carry their length") {
  std::string r = serialize({403, "text/plain; charset=us-ascii", "no\n"});
  CHECK(r.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
  CHECK(r.find("Content-Length: 3\r\n") != std::string::npos);
  CHECK(r.find("Connection: close\r\n\r\nno\n") != std::string::npos);
}
