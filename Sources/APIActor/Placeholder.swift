public enum APIPlaceholder {}
