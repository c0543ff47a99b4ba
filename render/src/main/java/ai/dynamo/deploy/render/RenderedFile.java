package ai.dynamo.deploy.render;

/**
 * One rendered artefact.
 *
 * @param relativePath path below the output directory, '/'-separated, never absolute and never containing
 *     {@code ..} (renderers build it only from derived, safe names)
 * @param content the file's text, UTF-8, ending in a newline
 * @param executable whether the file should be made executable (sbatch scripts)
 */
public record RenderedFile(String relativePath, String content, boolean executable) {}
