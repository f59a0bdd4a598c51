#include "json_bytes.hpp"

#include "base64.hpp"
#include "exit_codes.hpp"

namespace kvcli {
namespace {

constexpr std::string_view kBase64 = "base64";

CliError shape_error(const nlohmann::json::json_pointer& at, std::string_view field,
                     const std::string& problem) {
  return {ExitCode::usage, "at " + (at / std::string(field)).to_string() + ": " + problem};
}

}  // namespace

bool is_utf8(std::string_view bytes) {
  try {
    (void)nlohmann::json(std::string(bytes)).dump();  // the strict handler throws on bad UTF-8
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

std::string encoding_field(std::string_view field) {
  return field == "value" ? "encoding" : std::string(field) + "_encoding";
}

void put_bytes(nlohmann::json& object, std::string_view field, std::string_view bytes) {
  const std::string name(field);
  if (is_utf8(bytes)) {
    object[name] = std::string(bytes);
  } else {
    object[name] = base64_encode(bytes);
    object[encoding_field(field)] = kBase64;
  }
}

nlohmann::json key_object(std::string_view group, std::string_view key) {
  nlohmann::json object = nlohmann::json::object();
  put_bytes(object, "group", group);
  put_bytes(object, "key", key);
  return object;
}

std::string get_bytes(const nlohmann::json& object, std::string_view field,
                      const nlohmann::json::json_pointer& at) {
  const std::string name(field);
  const auto found = object.find(name);
  if (found == object.end()) throw shape_error(at, field, "missing");
  if (!found->is_string()) throw shape_error(at, field, "expected a string");
  const auto& text = found->get_ref<const std::string&>();

  const std::string marker = encoding_field(field);
  const auto encoding = object.find(marker);
  if (encoding == object.end()) return text;
  if (*encoding != kBase64) throw shape_error(at, marker, "expected \"base64\"");
  auto bytes = base64_decode(text);
  if (!bytes) throw shape_error(at, field, "invalid base64");
  return *bytes;
}

}  // namespace kvcli
