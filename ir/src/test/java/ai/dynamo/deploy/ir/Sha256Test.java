package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known vectors (FIPS 180-4's SHA-256 examples; sha256sum of fixed bytes), in every form the helper offers. */
class Sha256Test {
  static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  static final String TWO_BLOCKS = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  static final String MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

  @Test
  void hexOfTextMatchesTheKnownVectors() {
    assertEquals(EMPTY, Sha256.hex(""));
    assertEquals(ABC, Sha256.hex("abc"));
    assertEquals(TWO_BLOCKS, Sha256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
  }

  @Test
  void textIsEncodedAsUtf8() {
    // "\u00fc" is c3 bc in UTF-8 (digest 6074...) and fc in ISO-8859-1 (digest 9872...): sha256sum of those bytes
    assertEquals("607474ca475a9724d7360aba71a56d5df77e61350e3f724cfa1f46e857e2d85f", Sha256.hex("\u00fc"));
  }

  @Test
  void hexOfBytesIsLowerCaseHexOfTheRawDigest() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    assertArrayEquals(HexFormat.of().parseHex(ABC), Sha256.digest(abc));
    assertEquals(ABC, Sha256.hex(abc));
  }

  @Test
  void aStreamLongerThanOneChunkGivesTheDigestOfAllItHolds() throws IOException {
    byte[] millionA = new byte[1_000_000];
    Arrays.fill(millionA, (byte) 'a');
    assertEquals(MILLION_A, Sha256.hex(new ByteArrayInputStream(millionA)));
    assertEquals(MILLION_A, Sha256.hex(millionA));
    assertEquals(EMPTY, Sha256.hex(new ByteArrayInputStream(new byte[0])));
  }
}
