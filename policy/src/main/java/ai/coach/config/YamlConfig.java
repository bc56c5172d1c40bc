package ai.coach.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Binds a YAML file to a config record with snake_case keys. Unknown keys, values of the wrong
 * type and values a record rejects all become one {@link IllegalArgumentException} naming the
 * file, the dotted key and what was expected.
 */
public final class YamlConfig {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private YamlConfig() {}

  public static <T> T read(Path file, Class<T> type) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": config file not found");
    try {
      T value = YAML.readValue(file.toFile(), type);
      if (value == null) throw new IllegalArgumentException(file + ": empty config");
      return value;
    } catch (UnrecognizedPropertyException e) {
      String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          file + ": unknown key '" + path(e) + "' (known keys here: " + known + ")", e);
    } catch (InvalidFormatException e) {
      throw new IllegalArgumentException(file + ": key '" + path(e) + "' expects " + expected(e.getTargetType())
          + ", got '" + e.getValue() + "'", e);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String where = path(e);
      throw new IllegalArgumentException(file + ": " + (where.isEmpty() ? "" : "in '" + where + "': ") + cause.getMessage(), e);
    } catch (MismatchedInputException e) {
      throw new IllegalArgumentException(file + ": key '" + path(e) + "' expects " + expected(e.getTargetType()), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String expected(Class<?> type) {
    if (type == null) return "a different value";
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return "an integer";
    if (type == double.class || type == Double.class || type == float.class) return "a number";
    if (type == boolean.class || type == Boolean.class) return "true or false";
    if (type == String.class) return "a string";
    if (type.isEnum()) return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    if (type.isRecord()) return "a mapping of " + type.getSimpleName() + " keys";
    return "a " + type.getSimpleName();
  }
}
